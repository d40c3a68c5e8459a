import type { Request, Response } from 'express';
import { parseCookie, stringifySetCookie } from 'cookie';
import { ParleyError, type AuthResult } from '@parley/protocol';

/** The cookie a browser keeps its refresh token in: script can never read it, and only /api/auth ever receives it. */
export const REFRESH_COOKIE = 'parley_refresh';
const COOKIE_PATH = '/api/auth';

/**
 * Answers a sign-in or refresh: the refresh token goes into the HttpOnly
 * cookie, and into the JSON body only for clients that are not browsers (a
 * browser sends `Sec-Fetch-Site`): a page's script never sees it.
 */
export function sendAuthResult(req: Request, res: Response, status: 200 | 201, result: AuthResult, maxAgeSec: number): void {
  const { refreshToken, ...rest } = result;
  if (refreshToken !== undefined) res.setHeader('Set-Cookie', refreshCookie(refreshToken, maxAgeSec));
  res.setHeader('Cache-Control', 'no-store');
  res.status(status).json(isBrowser(req) || refreshToken === undefined ? rest : { ...rest, refreshToken });
}

export function clearRefreshCookie(res: Response): void {
  res.setHeader('Set-Cookie', refreshCookie('', 0));
}

/**
 * The refresh token of a request: from the body (clients without cookies),
 * else from the cookie. A cookie-borne one is refused (FORBIDDEN) when a
 * foreign page sent it (an `Origin` not this gateway's own host): the browser
 * attaches the cookie whoever asks, so it alone proves nothing.
 */
export function refreshTokenOf(req: Request, fromBody: string | undefined): string | undefined {
  if (fromBody !== undefined) return fromBody;
  const cookie = parseCookie(req.headers.cookie ?? '')[REFRESH_COOKIE];
  if (!cookie) return undefined;
  assertSameOrigin(req);
  return cookie;
}

function assertSameOrigin(req: Request): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (host === undefined || host !== req.headers.host) {
    throw new ParleyError('FORBIDDEN', 'the refresh cookie is only accepted from this site');
  }
}

function isBrowser(req: Request): boolean {
  return req.headers['sec-fetch-site'] !== undefined;
}

function refreshCookie(value: string, maxAgeSec: number): string {
  return stringifySetCookie(REFRESH_COOKIE, value, {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: COOKIE_PATH,
    maxAge: Math.floor(maxAgeSec),
  });
}
