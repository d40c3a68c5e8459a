import type { Request, RequestHandler } from 'express';
import { ParleyError } from '@parley/protocol';
import type { AuthSessionService, TokenClaims } from '@parley/domain';

const CLAIMS = Symbol('parley.claims');
type AuthedRequest = Request & { [CLAIMS]?: TokenClaims };

/**
 * Requires `Authorization: Bearer <jwt>` whose session is still active (a
 * logged-out, revoked or expired sign-in's token stops working at once); 401
 * UNAUTHORIZED otherwise.
 */
export function bearerAuth(sessions: AuthSessionService): RequestHandler {
  return async (req, _res, next) => {
    const token = bearerTokenOf(req);
    if (token === undefined) throw new ParleyError('UNAUTHORIZED', 'missing bearer token');
    (req as AuthedRequest)[CLAIMS] = await sessions.authenticate(token);
    next();
  };
}

/** The token of an `Authorization: Bearer` header, or undefined when there is none (or it is malformed). */
export function bearerTokenOf(req: Request): string | undefined {
  // The token group is there exactly when the header matches.
  const [, token] = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(req.headers.authorization ?? '') ?? [];
  return token;
}

export function claimsOf(req: Request): TokenClaims {
  const claims = (req as AuthedRequest)[CLAIMS];
  if (!claims) throw new ParleyError('UNAUTHORIZED', 'not authenticated');
  return claims;
}
