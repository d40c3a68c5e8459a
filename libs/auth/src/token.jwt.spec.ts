import jwt from 'jsonwebtoken';
import { JwtTokenService } from './token.jwt';

const secret = 'a'.repeat(40);

describe('JwtTokenService', () => {
  let now = 1_700_000_000_000;
  const clock = { now: () => now };
  const tokens = new JwtTokenService({ secret, ttlSeconds: 60 }, clock);

  it('round-trips claims and reports expiry', () => {
    const issued = tokens.issue({ userId: 'u1', username: 'alice' });
    expect(issued.expiresAt).toBe(now + 60_000);
    expect(tokens.verify(issued.token)).toEqual({ userId: 'u1', username: 'alice' });
  });

  it('rejects an expired token', () => {
    const issued = tokens.issue({ userId: 'u1', username: 'alice' });
    now += 61_000;
    expect(() => tokens.verify(issued.token)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
  });

  it('rejects another audience, another issuer, another key and alg=none', () => {
    const iat = Math.floor(now / 1000);
    const base = { sub: 'u1', name: 'alice', iat, exp: iat + 60 };
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
