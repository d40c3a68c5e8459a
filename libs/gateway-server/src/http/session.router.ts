import { Router, type Request } from 'express';
import { ParleyError, parseOrThrow, refreshBodySchema } from '@parley/protocol';
import type { AuthSessionService } from '@parley/domain';
import { bearerAuth, bearerTokenOf, claimsOf } from './bearer-auth';
import { clearRefreshCookie, refreshTokenOf, sendAuthResult } from './refresh-cookie';

/** `/api/auth/refresh`, `/logout`, `/logout-all`: the life of a sign-in after it started. */
export function sessionRouter(sessions: AuthSessionService): Router {
  const router = Router();

  router.post('/refresh', async (req, res) => {
    const token = refreshTokenOf(req, bodyOf(req).refreshToken);
    if (token === undefined) throw new ParleyError('UNAUTHORIZED', 'no refresh token (cookie or body)');
    sendAuthResult(req, res, 200, await sessions.refresh(token), sessions.refreshTtlSeconds);
  });

  // With a valid access token, its session ends; else the refresh token's (a browser whose access token expired).
  router.post('/logout', async (req, res) => {
    const refreshToken = refreshTokenOf(req, bodyOf(req).refreshToken);
    const bearer = bearerTokenOf(req);
    const claims = bearer === undefined ? undefined : await sessions.authenticate(bearer).catch((err: unknown) => {
      if (refreshToken === undefined) throw err;
      return undefined;
    });
    if (claims) await sessions.logout(claims);
    else if (refreshToken !== undefined) await sessions.logoutByRefreshToken(refreshToken);
    else throw new ParleyError('UNAUTHORIZED', 'missing bearer token or refresh token');
    clearRefreshCookie(res);
    res.status(204).end();
  });

  router.post('/logout-all', bearerAuth(sessions), async (req, res) => {
    await sessions.logoutAll(claimsOf(req));
    clearRefreshCookie(res);
    res.status(204).end();
  });

  return router;
}

/** An empty or absent body is an empty object here. */
function bodyOf(req: Request) {
  return parseOrThrow(refreshBodySchema, req.body ?? {});
}
