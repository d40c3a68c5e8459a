import { ParleyError } from '@parley/protocol';
import { backoffDelay, type BackoffOptions } from '@parley/util';

/** A fresh access token (a refresh answer may carry more: the next refresh token, the user). */
export interface FreshToken {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** Gets a fresh access token for the session, e.g. `POST /api/auth/refresh`; throws ParleyError UNAUTHORIZED when the session is over. */
export type Refresher = () => Promise<FreshToken>;

export interface TokenRenewalHooks {
  refresh: Refresher;
  /** The fresh token is to be used from now on: keep it, hand it to the live socket. */
  renewed(fresh: FreshToken): Promise<void>;
  /** The current token's expiry (epoch ms), if signed in. */
  expiresAt(): number | undefined;
  /** A scheduled refresh was refused: the session is over. */
  over(): void;
  /** Retry delays while the gateway cannot answer. */
  backoff: BackoffOptions;
  /** @default Date.now */
  now?: () => number;
}

/** Refresh this long before expiry at most (a short token: a third of what is left). */
const MAX_LEAD_MS = 60_000;

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
      if (err instanceof ParleyError && (err.code === 'UNAUTHORIZED' || err.code === 'FORBIDDEN')) return false;
      throw err;
    }
    await this.hooks.renewed(fresh);
    // Whoever asked for it, the next refresh is due ahead of the new expiry.
    this.failures = 0;
    this.schedule();
    return true;
  }

  private schedule(delayMs?: number): void {
    if (!this.running) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const expiresAt = this.hooks.expiresAt();
    if (expiresAt === undefined) return;
    const left = expiresAt - this.now();
    const wait = delayMs ?? Math.max(0, left - Math.min(MAX_LEAD_MS, left / 3));
    this.timer = setTimeout(() => void this.tick(), wait);
    // Never what keeps a Node process alive (the socket does, while there is one).
    (this.timer as { unref?: () => void }).unref?.();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    try {
      if (await this.refreshNow()) return; // rescheduled by run()
      this.stop();
      this.hooks.over();
    } catch {
      // The gateway is out of reach: try again, also past the expiry (the socket ends then; a reconnect needs the token).
      this.schedule(backoffDelay(this.failures++, this.hooks.backoff));
    }
  }
}
