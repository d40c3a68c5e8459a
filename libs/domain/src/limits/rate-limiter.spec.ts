import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  let now = 0;
  const clock = { now: () => now };

  it('lets a burst through, then refills at the rate and says when to retry', () => {
    const limiter = new RateLimiter(clock, { ratePerSec: 2, burst: 3 });
    expect([1, 2, 3].map(() => limiter.take('u').ok)).toEqual([true, true, true]);
    expect(limiter.take('u')).toEqual({ ok: false, retryAfterMs: 500 });
    expect(limiter.take('other').ok).toBe(true); // keys are independent
    now += 500;
    expect(limiter.take('u').ok).toBe(true);
    expect(limiter.take('u').ok).toBe(false);
    now += 10_000;
    expect([1, 2, 3, 4].map(() => limiter.take('u').ok)).toEqual([true, true, true, false]); // capped at burst
  });

  it('peeks without taking', () => {
    const limiter = new RateLimiter(clock, { ratePerSec: 1, burst: 1 });
    expect(limiter.peek('u').ok).toBe(true);
    expect(limiter.take('u').ok).toBe(true);
    expect(limiter.peek('u')).toEqual({ ok: false, retryAfterMs: 1000 });
  });

  it('forgets the least recently used keys beyond maxKeys (a forgotten key starts full)', () => {
    const limiter = new RateLimiter(clock, { ratePerSec: 0.001, burst: 1, maxKeys: 2 });
    limiter.take('a');
    limiter.take('b');
    limiter.take('c'); // evicts a
    expect(limiter.take('b').ok).toBe(false);
    expect(limiter.take('a').ok).toBe(true);
  });
});
