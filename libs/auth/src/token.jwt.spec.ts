import jwt from 'jsonwebtoken';
import { JwtTokenService } from './token.jwt';

const secret = 'a'.repeat(40);
const claims = { userId: 'u1', username: 'alice', sessionId: 's1' };

describe('JwtTokenService', () => {
  let now = 1_700_000_000_000;
  const clock = { now: () => now };
  const tokens = new JwtTokenService({ secret, ttlSeconds: 60 }, clock);
  const sign = (payload: object, options: jwt.SignOptions = {}): string =>
    jwt.sign(payload, secret, { algorithm: 'HS256', issuer: 'parley', audience: 'parley-im', ...options });

  it('round-trips claims with the session id and reports expiry', () => {
    const issued = tokens.issue(claims);
    expect(issued.expiresAt).toBe(now + 60_000);
    expect(tokens.verify(issued.token)).toEqual({ ...claims, expiresAt: issued.expiresAt });
  });

  it('issues minutes-long tokens by default', () => {
    const issued = new JwtTokenService({ secret }, clock).issue(claims);
    expect(issued.expiresAt - now).toBe(900_000);
  });

  it('rejects an expired token', () => {
    const issued = tokens.issue(claims);
    now += 61_000;
    expect(() => tokens.verify(issued.token)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
  });

  it('rejects a correctly signed token without exp, while the same token with exp passes', () => {
    const iat = Math.floor(now / 1000);
    const forever = sign({ sub: 'u1', name: 'alice', sid: 's1', iat });
    expect(() => tokens.verify(forever)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
    expect(tokens.verify(sign({ sub: 'u1', name: 'alice', sid: 's1', iat, exp: iat + 60 }))).toMatchObject({ userId: 'u1' });
  });

  it('rejects a correctly signed token without a session id (issued before sessions existed)', () => {
    const iat = Math.floor(now / 1000);
    for (const sid of [undefined, '', 42]) {
      const token = sign({ sub: 'u1', name: 'alice', iat, exp: iat + 60, ...(sid === undefined ? {} : { sid }) });
      expect(() => tokens.verify(token)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
    }
  });

  it('rejects another audience, another issuer, another key and alg=none', () => {
    const iat = Math.floor(now / 1000);
    const base = { sub: 'u1', name: 'alice', sid: 's1', iat, exp: iat + 60 };
    const forged = [
      jwt.sign(base, secret, { algorithm: 'HS256', issuer: 'parley', audience: 'other' }),
      jwt.sign(base, secret, { algorithm: 'HS256', issuer: 'evil', audience: 'parley-im' }),
      jwt.sign(base, 'b'.repeat(40), { algorithm: 'HS256', issuer: 'parley', audience: 'parley-im' }),
      jwt.sign(base, '', { algorithm: 'none', issuer: 'parley', audience: 'parley-im' }),
    ];
    for (const token of forged) {
      expect(() => tokens.verify(token)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
    }
  });

  it('refuses a short secret', () => {
    expect(() => new JwtTokenService({ secret: 'short' }, clock)).toThrow();
  });
});
