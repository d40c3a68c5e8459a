import type { Request, RequestHandler } from 'express';
import { ParleyError } from '@parley/protocol';
import type { AccountService, TokenClaims } from '@parley/domain';

const CLAIMS = Symbol('parley.claims');
type AuthedRequest = Request & { [CLAIMS]?: TokenClaims };

/** Requires `Authorization: Bearer <jwt>`; 401 UNAUTHORIZED otherwise. */
export function bearerAuth(accounts: AccountService): RequestHandler {
  return (req, _res, next) => {
    const header = req.headers.authorization ?? '';
    // The token group is there exactly when the header matches.
    const [, token] = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header) ?? [];
    if (token === undefined) throw new ParleyError('UNAUTHORIZED', 'missing bearer token');
    (req as AuthedRequest)[CLAIMS] = accounts.authenticate(token);
    next();
  };
}

export function claimsOf(req: Request): TokenClaims {
  const claims = (req as AuthedRequest)[CLAIMS];
  if (!claims) throw new ParleyError('UNAUTHORIZED', 'not authenticated');
  return claims;
}
