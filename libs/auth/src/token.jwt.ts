import jwt from 'jsonwebtoken';
import { ParleyError } from '@parley/protocol';
import type { Clock, IssuedToken, TokenClaims, TokenService } from '@parley/domain';
import { DEFAULT_JWT_TTL_SECONDS } from '@parley/util-node';

export interface JwtOptions {
  /** HMAC secret shared by gateways and IM nodes; at least 32 characters. */
  secret: string;
  /** @default 'parley' */
  issuer: string;
  /** @default 'parley-im' */
  audience: string;
  /** Token lifetime. @default 86400 (one day) */
  ttlSeconds: number;
}

const ALGORITHM = 'HS256';

/** HS256 JWTs with the algorithm pinned and exp/iss/aud checked on every verify. */
export class JwtTokenService implements TokenService {
  private readonly options: JwtOptions;

  constructor(
    options: Pick<JwtOptions, 'secret'> & Partial<JwtOptions>,
    private readonly clock: Clock,
  ) {
    if (options.secret.length < 32) throw new Error('JWT secret must be at least 32 characters');
    this.options = { issuer: 'parley', audience: 'parley-im', ttlSeconds: DEFAULT_JWT_TTL_SECONDS, ...options };
  }

  issue(claims: TokenClaims): IssuedToken {
    const nowSeconds = Math.floor(this.clock.now() / 1000);
    const exp = nowSeconds + this.options.ttlSeconds;
    const token = jwt.sign({ sub: claims.userId, name: claims.username, iat: nowSeconds, exp }, this.options.secret, {
      algorithm: ALGORITHM,
      issuer: this.options.issuer,
      audience: this.options.audience,
    });
    return { token, expiresAt: exp * 1000 };
  }

  verify(token: string): TokenClaims {
    let payload: string | jwt.JwtPayload;
    try {
      payload = jwt.verify(token, this.options.secret, {
        algorithms: [ALGORITHM],
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTimestamp: Math.floor(this.clock.now() / 1000),
      });
    } catch {
      throw new ParleyError('UNAUTHORIZED', 'invalid or expired token');
    }
    if (typeof payload === 'string' || typeof payload.sub !== 'string' || typeof payload.name !== 'string') {
      throw new ParleyError('UNAUTHORIZED', 'invalid token claims');
    }
    return { userId: payload.sub, username: payload.name };
  }
}
