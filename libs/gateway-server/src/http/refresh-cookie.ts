import type { Request, Response } from 'express';
import { parseCookie, stringifySetCookie } from 'cookie';
import { ParleyError, type AuthResult } from '@parley/protocol';
import type { Logger } from '@parley/util';

/** The cookie a browser keeps its refresh token in: script can never read it, and only /api/auth ever receives it. */
export const REFRESH_COOKIE = 'parley_refresh';
const COOKIE_PATH = '/api/auth';
/** The Express app setting holding the logger the plain-http warning goes to. */
export const COOKIE_LOGGER_SETTING = 'parley cookie logger';

/**
 * Answers a sign-in or refresh: the refresh token goes into the HttpOnly
 * cookie, and into the JSON body only for clients that are not browsers (a
 * browser sends `Sec-Fetch-Site`): a page's script never sees it.
 */
export function sendAuthResult(req: Request, res: Response, status: 200 | 201, result: AuthResult, maxAgeSec: number): void {
  const { refreshToken, ...rest } = result;
  if (refreshToken !== undefined) res.setHeader('Set-Cookie', refreshCookie(req, refreshToken, maxAgeSec));
  res.setHeader('Cache-Control', 'no-store');
  res.status(status).json(isBrowser(req) || refreshToken === undefined ? rest : { ...rest, refreshToken });
}

export function clearRefreshCookie(res: Response): void {
  res.setHeader('Set-Cookie', refreshCookie(res.req, '', 0));
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

function refreshCookie(req: Request, value: string, maxAgeSec: number): string {
  return stringifySetCookie(REFRESH_COOKIE, value, {
    httpOnly: true,
    secure: cookieMaySaySecure(req),
    sameSite: 'strict',
    path: COOKIE_PATH,
    maxAge: Math.floor(maxAgeSec),
  });
}

let warnedPlainHttp = false;

/**
 * `Secure` wherever the browser keeps such a cookie: https (`req.secure`
 * honours trust proxy) and loopback hosts. Over plain http from any other
 * host a browser drops a Secure cookie, and reload could never restore the
 * session: there it goes without, with one warning per process.
 */
function cookieMaySaySecure(req: Request): boolean {
  if (req.secure || isLoopbackHost(req.hostname)) return true;
  if (!warnedPlainHttp) {
    warnedPlainHttp = true;
    const logger = req.app.get(COOKIE_LOGGER_SETTING) as Logger | undefined;
    logger?.warn(
      { host: req.hostname },
      'the web client is served over plain http: its refresh cookie goes without Secure and can be read on the network; serve it over https',
    );
  }
  return false;
}

function isLoopbackHost(hostname: string | undefined): boolean {
  if (!hostname) return false;
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}
