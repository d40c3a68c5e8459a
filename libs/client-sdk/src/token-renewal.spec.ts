import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ParleyError } from '@parley/protocol';
import { TokenRenewal, type FreshToken } from './token-renewal';

const LIFE_S = 600;
const HOUR = 3_600_000;

/** A token as the gateway issues it (a JWT with iat/exp on the server's clock; the signature is not read here). */
function issued(serverNow: number, n: number): FreshToken {
  const iat = Math.floor(serverNow / 1000);
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return { token: `${part({ alg: 'HS256' })}.${part({ sub: 'u1', n, iat, exp: iat + LIFE_S })}.sig`, expiresAt: (iat + LIFE_S) * 1000 };
}

/**
 * A renewal whose refreshes answer with tokens from a server whose clock is
 * the true one, while this machine's clock is off by `skewMs`; the session
 * ends after `limit` refreshes so that a runaway loop stops.
 */
function renewalWith(skewMs: number, first: FreshToken, next: (n: number) => FreshToken, limit = 20) {
  let current = first;
  let refreshes = 0;
  let over = false;
  const renewal = new TokenRenewal({
    refresh: () => {
      refreshes++;
      if (refreshes > limit) return Promise.reject(new ParleyError('UNAUTHORIZED', 'enough'));
      return Promise.resolve(next(refreshes));
    },
    renewed: (fresh) => {
      current = fresh;
      return Promise.resolve(true);
    },
    current: () => current,
    over: () => {
      over = true;
    },
    backoff: { initialMs: 100, maxMs: 1_000 },
    now: () => Date.now() + skewMs,
  });
  return { renewal, refreshes: () => refreshes, over: () => over };
}

describe('TokenRenewal on a machine whose clock is wrong', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('does not refresh in a loop when the local clock is ahead by more than a token life', async () => {
    const r = renewalWith(HOUR, issued(Date.now(), 0), (n) => issued(Date.now(), n));
    r.renewal.start();
    await jest.advanceTimersByTimeAsync(30_000);
    expect(r.refreshes()).toBe(0);
    // Still ahead of the token's own expiry, by its lifetime as this machine measures it.
    await jest.advanceTimersByTimeAsync(LIFE_S * 1000 - 30_000 - 1_000);
    expect(r.refreshes()).toBe(1);
    expect(r.over()).toBe(false);
    r.renewal.stop();
  });

  it('refreshes ahead of the expiry, not an hour late, when the local clock is behind', async () => {
    const r = renewalWith(-HOUR, issued(Date.now(), 0), (n) => issued(Date.now(), n));
    r.renewal.start();
    await jest.advanceTimersByTimeAsync(LIFE_S * 1000 - 1_000);
    expect(r.refreshes()).toBe(1);
    await jest.advanceTimersByTimeAsync(LIFE_S * 1000);
    expect(r.refreshes()).toBe(2);
    r.renewal.stop();
  });

  it('keeps scheduled refreshes seconds apart even when the expiry it is told is already past (a token it cannot read)', async () => {
    const stale = (n: number): FreshToken => ({ token: `opaque-${n}`, expiresAt: Date.now() - HOUR });
    const r = renewalWith(0, stale(0), stale);
    r.renewal.start();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(r.refreshes()).toBeGreaterThanOrEqual(1);
    expect(r.refreshes()).toBeLessThanOrEqual(2);
    r.renewal.stop();
  });

  it('still refreshes a short-lived token in time (the gap is at most half its life)', async () => {
    const short = (n: number): FreshToken => ({ token: `opaque-${n}`, expiresAt: Date.now() + 1_200 });
    const r = renewalWith(0, short(0), short);
    r.renewal.start();
    await jest.advanceTimersByTimeAsync(1_100);
    expect(r.refreshes()).toBe(1);
    r.renewal.stop();
  });
});

describe('TokenRenewal when the fresh token is not taken', () => {
  it('reports the session over (false) and schedules nothing', async () => {
    let refreshes = 0;
    const renewal = new TokenRenewal({
      refresh: () => {
        refreshes++;
        return Promise.resolve({ token: 'other', expiresAt: Date.now() + 60_000 });
      },
      renewed: () => Promise.resolve(false),
      current: () => ({ token: 't', expiresAt: Date.now() + 60_000 }),
      over: () => undefined,
      backoff: { initialMs: 10, maxMs: 10 },
    });
    await expect(renewal.refreshNow()).resolves.toBe(false);
    expect(refreshes).toBe(1);
  });
});
