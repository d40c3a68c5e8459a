import { GatewayApi, ParleyError, type AuthResult } from '@parley/client';

/** Where earlier versions kept the whole session, access token included: removed on every load. */
const LEGACY_KEYS = ['parley.session'];
/** The Web Lock every tab of this browser takes to renew the session. */
const RENEW_LOCK = 'parley.session.renew';
/** Answers that mean "there is no session to restore" (no cookie, an ended or unknown session). */
const NO_SESSION = new Set(['UNAUTHORIZED', 'INVALID_CREDENTIALS', 'INVALID_ARGUMENT', 'FORBIDDEN', 'NOT_FOUND']);

/** The part of the Web Locks API used here (absent outside secure contexts). */
export interface RenewLocks {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/**
 * Removes any session an earlier version stored (a token readable by every
 * script on the page). Storages come as getters: with storage disabled, even
 * reading `localStorage` throws.
 */
export function forgetStoredSessions(storages: readonly (() => Pick<Storage, 'removeItem'>)[]): void {
  for (const storage of storages) {
    for (const key of LEGACY_KEYS) {
      try {
        storage().removeItem(key);
      } catch {
        // Storage disabled (privacy settings): nothing was stored either.
      }
    }
  }
}

/**
 * The browser's side of a session. The refresh token is an HttpOnly cookie
 * the page never sees, sent by the browser to `/api/auth/refresh`; the access
 * token lives only in memory, in the objects that use it. Every renewal
 * rotates the cookie, and the server takes a rotated-away token for a stolen
 * one: so renewals are one at a time within a tab (shared) and across this
 * browser's tabs (a Web Lock), each starting with the newest cookie.
 */
export class BrowserSession {
  private renewing: Promise<AuthResult> | undefined;

  constructor(
    private readonly api: GatewayApi,
    private readonly locks: RenewLocks | undefined,
  ) {}

  /** A session for this page, in a browser. */
  static forPage(gatewayUrl: string): BrowserSession {
    const locks = typeof navigator === 'undefined' ? undefined : (navigator.locks as RenewLocks | undefined);
    return new BrowserSession(new GatewayApi(gatewayUrl, globalThis.fetch.bind(globalThis)), locks);
  }

  /** A new access token for the session the cookie holds; throws (UNAUTHORIZED…) when it has ended. */
  renew(): Promise<AuthResult> {
    this.renewing ??= this.oneAtATime(() => this.api.request<AuthResult>('POST', '/api/auth/refresh', undefined, {})).finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  /** The session kept by the cookie, or undefined when there is none; throws when the server cannot say (unreachable, busy). */
  async restore(): Promise<AuthResult | undefined> {
    try {
      return await this.renew();
    } catch (err) {
      if (err instanceof ParleyError && NO_SESSION.has(err.code)) return undefined;
      throw err;
    }
  }

  private oneAtATime<T>(run: () => Promise<T>): Promise<T> {
    return this.locks ? this.locks.request(RENEW_LOCK, run) : run();
  }
}
