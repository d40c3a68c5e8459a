import { ParleyError, type User } from '@parley/protocol';
import { backoffDelay, type BackoffOptions } from '@parley/util';

/** A fresh access token (a refresh answer may carry more: the next refresh token, the user). */
export interface FreshToken {
  token: string;
  /** Epoch ms, on the server's clock. */
  expiresAt: number;
  /** Whose session it is (a refresh answer says). */
  user?: User;
}

/** Gets a fresh access token for the session, e.g. `POST /api/auth/refresh`; throws ParleyError UNAUTHORIZED when the session is over. */
export type Refresher = () => Promise<FreshToken>;

/** Why the server refused a refresh for good: the session ended (`unauthorized`), or an operator suspended the account. */
export type RefreshRefusal = 'unauthorized' | 'suspended';

/** Answers to a refresh that end the session: retrying cannot help (anything else, e.g. UNAVAILABLE, is retried). */
const REFUSALS: Partial<Record<string, RefreshRefusal>> = { UNAUTHORIZED: 'unauthorized', FORBIDDEN: 'unauthorized', ACCOUNT_SUSPENDED: 'suspended' };

export interface TokenRenewalHooks {
  refresh: Refresher;
  /** The fresh token is to be used from now on: keep it, hand it to the live socket. False: it is not (the session cannot go on). */
  renewed(fresh: FreshToken): Promise<boolean>;
  /** The token in use, if signed in. */
  current(): FreshToken | undefined;
  /** A scheduled refresh was refused: the session is over. */
  over(reason: RefreshRefusal): void;
  /** Retry delays while the gateway cannot answer. */
  backoff: BackoffOptions;
  /** @default Date.now */
  now?: () => number;
}

/** Refresh this long before expiry at most (a short token: a third of what is left). */
const MAX_LEAD_MS = 60_000;
/** Scheduled refreshes are at least this far apart (a short token: half its life), whatever the clocks say. */
const MIN_GAP_MS = 5_000;

/** When the token in use runs out, on this machine's clock. */
interface LocalExpiry {
  token: string;
  /** Epoch ms, local clock. */
  at: number;
  /** The token's whole life in ms, when known. */
  lifetimeMs: number | undefined;
}

/**
 * Keeps the session's access token fresh: refreshes ahead of its expiry (one
 * timer), and on demand (a refused handshake). Refreshes are single-flight:
 * a refresh token works once, so two at the same time would look like a
 * stolen copy to the server and end the session.
 */
export class TokenRenewal {
  private inflight: Promise<boolean> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private running = false;
  private expiry: LocalExpiry | undefined;
  private refused: RefreshRefusal | undefined;
  private readonly now: () => number;

  constructor(private readonly hooks: TokenRenewalHooks) {
    this.now = hooks.now ?? Date.now;
  }

  /**
   * Refreshes (or joins the refresh under way): true once a fresh token is in
   * use, false when the server refused (the session is over). Throws when
   * the gateway could not answer (UNAVAILABLE): try again later.
   */
  refreshNow(): Promise<boolean> {
    if (!this.inflight) {
      const run = this.run();
      this.inflight = run;
      const clear = (): void => {
        if (this.inflight === run) this.inflight = undefined;
      };
      run.then(clear, clear);
    }
    return this.inflight;
  }

  /** Why the last refresh was refused, once one was (refreshNow answered false); `unauthorized` when the fresh token was not taken. */
  get refusal(): RefreshRefusal | undefined {
    return this.refused;
  }

  /** Refreshes ahead of every expiry from now on, until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async run(): Promise<boolean> {
    let fresh: FreshToken;
    try {
      fresh = await this.hooks.refresh();
    } catch (err) {
      const refusal = err instanceof ParleyError ? REFUSALS[err.code] : undefined;
      if (refusal === undefined) throw err;
      this.refused = refusal;
      return false;
    }
    const receivedAt = this.now();
    if (!(await this.hooks.renewed(fresh))) {
      this.refused = 'unauthorized';
      return false;
    }
    this.expiry = localExpiry(fresh, receivedAt);
    // Whoever asked for it, the next refresh is due ahead of the new expiry.
    this.failures = 0;
    this.schedule();
    return true;
  }

  private schedule(delayMs?: number): void {
    if (!this.running) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const current = this.hooks.current();
    if (current === undefined) return;
    const now = this.now();
    // A token first seen here (signed in, a saved session) counts as received now.
    if (this.expiry?.token !== current.token) this.expiry = localExpiry(current, now);
    const { at, lifetimeMs } = this.expiry;
    const left = at - now;
    const gap = lifetimeMs !== undefined && lifetimeMs > 0 ? Math.min(MIN_GAP_MS, lifetimeMs / 2) : MIN_GAP_MS;
    const wait = delayMs ?? Math.max(gap, left - Math.min(MAX_LEAD_MS, left / 3));
    this.timer = setTimeout(() => void this.tick(), wait);
    // Never what keeps a Node process alive (the socket does, while there is one).
    (this.timer as { unref?: () => void }).unref?.();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    try {
      if (await this.refreshNow()) return; // rescheduled by run()
      this.stop();
      this.hooks.over(this.refused ?? 'unauthorized');
    } catch {
      // The gateway is out of reach: try again, also past the expiry (the socket ends then; a reconnect needs the token).
      this.schedule(backoffDelay(this.failures++, this.hooks.backoff));
    }
  }
}

/**
 * When a token received at `receivedAt` (local clock) runs out, on the local
 * clock. The server's `expiresAt` is on the server's clock, which need not
 * match this one: a clock minutes ahead would see every token as expired
 * (and refresh in a loop), one behind would refresh too late. What is
 * measured instead is the token's life, from its own `iat` and `exp` claims
 * (read, not verified: only the server has to trust them). Without them
 * (not a JWT), the server's expiry is all there is.
 */
function localExpiry(fresh: FreshToken, receivedAt: number): LocalExpiry {
  const claims = jwtClaims(fresh.token);
  const iat = claims?.iat;
  const exp = claims?.exp;
  if (typeof iat === 'number' && typeof exp === 'number' && exp > iat) {
    const lifetimeMs = (exp - iat) * 1000;
    return { token: fresh.token, at: receivedAt + lifetimeMs, lifetimeMs };
  }
  return { token: fresh.token, at: fresh.expiresAt, lifetimeMs: fresh.expiresAt - receivedAt };
}

/** The payload of a JWT, unverified; undefined for anything else. */
function jwtClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims: unknown = JSON.parse(json);
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
