import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ParleyError } from '@parley/protocol';
import type { Clock, IssuedToken, TokenClaims, TokenService, VerifiedToken } from '@parley/domain';
import { DEFAULT_JWT_TTL_SECONDS } from '@parley/util-node';

export interface JwtOptions {
  /** HMAC secret shared by gateways and IM nodes; at least 32 characters. */
  secret: string;
  /** @default 'parley' */
  issuer: string;
  /** @default 'parley-im' */
  audience: string;
  /** Access-token lifetime: minutes, since the refresh token renews it. @default 900 (15 minutes) */
  ttlSeconds: number;
}

const ALGORITHM = 'HS256';

/**
 * HS256 access tokens with the algorithm pinned and exp/iss/aud checked on
 * every verify. Each names its sign-in (`sid`), so revoking the session ends
 * it. A token without `exp` is refused: jsonwebtoken would accept it forever.
 */
export class JwtTokenService implements TokenService {
  private readonly options: JwtOptions;
  /**
   * The secret as a KeyObject, made once: given a string, jsonwebtoken first
   * tries (and fails) to parse it as a PEM public key on every verify, which
   * was the largest single cost of a handshake in a reconnect storm.
   */
  private readonly key: KeyObject;

  constructor(
    options: Pick<JwtOptions, 'secret'> & Partial<JwtOptions>,
    private readonly clock: Clock,
  ) {
    if (options.secret.length < 32) throw new Error('JWT secret must be at least 32 characters');
    this.options = { issuer: 'parley', audience: 'parley-im', ttlSeconds: DEFAULT_JWT_TTL_SECONDS, ...options };
    this.key = createSecretKey(Buffer.from(this.options.secret, 'utf8'));
  }

  issue(claims: TokenClaims): IssuedToken {
    const nowSeconds = Math.floor(this.clock.now() / 1000);
    const exp = nowSeconds + this.options.ttlSeconds;
    const payload = { sub: claims.userId, name: claims.username, sid: claims.sessionId, iat: nowSeconds, exp };
    const token = jwt.sign(payload, this.key, {
      algorithm: ALGORITHM,
      issuer: this.options.issuer,
      audience: this.options.audience,
    });
    return { token, expiresAt: exp * 1000 };
  }

  verify(token: string): VerifiedToken {
    let payload: string | jwt.JwtPayload;
    try {
      payload = jwt.verify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTimestamp: Math.floor(this.clock.now() / 1000),
      });
    } catch {
      throw new ParleyError('UNAUTHORIZED', 'invalid or expired token');
    }
    if (
      typeof payload === 'string' ||
      typeof payload.sub !== 'string' ||
      typeof payload.name !== 'string' ||
      typeof payload['sid'] !== 'string' ||
      payload['sid'] === '' ||
      typeof payload.exp !== 'number'
    ) {
      throw new ParleyError('UNAUTHORIZED', 'invalid token claims');
    }
    return { userId: payload.sub, username: payload.name, sessionId: payload['sid'], expiresAt: payload.exp * 1000 };
  }
}
