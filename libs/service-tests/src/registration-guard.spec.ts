import { MemoryThrottleFactory } from '@parley/limits';
import { RegistrationGuard } from '@parley/domain';

describe('RegistrationGuard', () => {
  it('admits the limit of parallel registrations from one address, refuses the rest with a wait, and not other addresses', async () => {
    const guard = new RegistrationGuard(new MemoryThrottleFactory(), { perIp: 10, windowSec: 600 });
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => guard.admit('203.0.113.7')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect(r.reason).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    }
    await expect(guard.admit('198.51.100.1')).resolves.toBeUndefined();
    // A registration given back (its work never started) frees its place.
    await guard.giveBack('203.0.113.7');
    await expect(guard.admit('203.0.113.7')).resolves.toBeUndefined();
    await expect(guard.admit('203.0.113.7')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });
});
