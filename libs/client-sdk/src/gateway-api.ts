import { ParleyError, isErrorCode, type AssignResult, type AuthResult, type User } from '@parley/protocol';

/** How long a request may take, answer included, before it counts as the gateway being unreachable. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

/**
 * The gateway's REST API as the client uses it; problem bodies become
 * ParleyErrors. Every request gives up after `timeoutMs` (UNAVAILABLE, so
 * retried like any unreachable gateway): a refresh that hung would hold the
 * single renewal, and in a browser its Web Lock, for every caller.
 */
export class GatewayApi {
  constructor(
    private readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch,
    private readonly timeoutMs: number = DEFAULT_REQUEST_TIMEOUT_MS,
  ) {}

  register(username: string, password: string, displayName?: string): Promise<AuthResult> {
    return this.request('POST', '/api/auth/register', undefined, { username, password, displayName });
  }

  login(username: string, password: string): Promise<AuthResult> {
    return this.request('POST', '/api/auth/login', undefined, { username, password });
  }

  /**
   * A new access token and the next refresh token for this session. Without
   * `refreshToken`, a browser's `parley_refresh` cookie is used (the request
   * carries cookies). The refresh token works once: never call this twice at
   * the same time with one token, the second would count as a stolen copy.
   */
  refresh(refreshToken?: string): Promise<AuthResult> {
    return this.request('POST', '/api/auth/refresh', undefined, refreshToken === undefined ? {} : { refreshToken });
  }

  /** Ends this session (its sockets get `session:ended`). */
  async logout(token: string): Promise<void> {
    await this.request('POST', '/api/auth/logout', token);
  }

  /** Ends every session of the account, this one included. */
  async logoutAll(token: string): Promise<void> {
    await this.request('POST', '/api/auth/logout-all', token);
  }

  /** Changes the password; every other session of the account ends, this one stays. */
  async changePassword(token: string, currentPassword: string, newPassword: string): Promise<void> {
    await this.request('POST', '/api/me/password', token, { currentPassword, newPassword });
  }

  /** Deletes the account (the password confirms it); every session ends. */
  async deleteAccount(token: string, password: string): Promise<void> {
    await this.request('DELETE', '/api/me', token, { password });
  }

  me(token: string): Promise<{ user: User }> {
    return this.request('GET', '/api/me', token);
  }

  assign(token: string, room?: string): Promise<AssignResult> {
    const query = room ? `?room=${encodeURIComponent(room)}` : '';
    return this.request('GET', `/api/nodes/assign${query}`, token);
  }

  async request<T>(method: string, path: string, token?: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        // The refresh cookie (HttpOnly, Path=/api/auth) goes with requests to the page's own gateway.
        credentials: 'same-origin',
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      throw new ParleyError('UNAVAILABLE', timedOut ? 'gateway did not answer in time' : 'gateway unreachable', { cause: err });
    }
    const parsed: unknown = text ? safeJson(text) : undefined;
    if (res.ok) return parsed as T;
    throw problemToError(res.status, parsed);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A problem document (or whatever came instead) as a ParleyError with its code. */
export function problemToError(status: number, body: unknown): ParleyError {
  const problem = (typeof body === 'object' && body !== null ? body : {}) as { code?: unknown; detail?: unknown; retryAfterMs?: unknown };
  const code = typeof problem.code === 'string' && isErrorCode(problem.code) ? problem.code : status >= 500 ? 'UNAVAILABLE' : 'INTERNAL';
  const message = typeof problem.detail === 'string' ? problem.detail : `HTTP ${status}`;
  const retryAfterMs = typeof problem.retryAfterMs === 'number' ? problem.retryAfterMs : undefined;
  return new ParleyError(code, message, { retryAfterMs });
}
