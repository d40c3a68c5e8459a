import { MemoryThrottleFactory } from '@parley/limits';
import { ParleyError } from '@parley/protocol';
import { LoginGuard, type LoginLimits, type LoginSubject, type ThrottleFactory } from '@parley/domain';

type Outcome = { verified: true; ok: boolean } | { verified: false; code: string; retryAfterMs?: number };

/** A login as AccountService runs it: reserve, check the password (counted), settle. */
async function tryLogin(guard: LoginGuard, subject: LoginSubject, ip: string, rightPassword: boolean, checks: { n: number }): Promise<Outcome> {
  let attempt;
  try {
    attempt = await guard.reserve(subject, ip);
  } catch (err) {
    if (!(err instanceof ParleyError)) throw err;
    return { verified: false, code: err.code, retryAfterMs: err.retryAfterMs };
  }
  checks.n++;
  await Promise.resolve(); // the hash check yields, as argon2 does
  if (rightPassword) await attempt.succeeded();
  return { verified: true, ok: rightPassword };
}

const victim: LoginSubject = { userId: 'u-victim' };
const attacker = '203.0.113.7';

describe('LoginGuard', () => {
  let checks: { n: number };
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    checks = { n: 0 };
  });
  afterEach(() => jest.useRealTimers());

  const guardWith = (limits: Partial<LoginLimits> = {}, throttles: ThrottleFactory = new MemoryThrottleFactory()) => new LoginGuard(throttles, limits);

  it('lets 100 parallel wrong passwords on one account check at most 11, refuses the rest with a wait, and the owner gets in after it', async () => {
    const guard = guardWith();
    const outcomes = await Promise.all(Array.from({ length: 100 }, () => tryLogin(guard, victim, attacker, false, checks)));
    expect(checks.n).toBeLessThanOrEqual(11);
    const refused = outcomes.filter((o) => !o.verified);
    expect(refused).toHaveLength(100 - checks.n);
    for (const r of refused) expect(r).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    const wait = Math.max(...refused.map((r) => (r.verified ? 0 : (r.retryAfterMs ?? 0))));
    expect(wait).toBeGreaterThan(0);

    // Before the wait is over even the right password is refused: the guesser learns nothing.
    await expect(tryLogin(guard, victim, attacker, true, checks)).resolves.toMatchObject({ verified: false, code: 'RATE_LIMITED' });
    jest.advanceTimersByTime(wait);
    await expect(tryLogin(guard, victim, attacker, true, checks)).resolves.toEqual({ verified: true, ok: true });
  });

  it('allows the free failures, then doubles the wait after each further one up to the cap, never locking the owner out', async () => {
    const guard = guardWith({ accountIpFreeFailures: 3, backoffBaseSec: 1, backoffMaxSec: 4 });
    for (let i = 0; i < 3; i++) await expect(tryLogin(guard, victim, attacker, false, checks)).resolves.toMatchObject({ verified: true });
    const waits: number[] = [];
    for (let round = 0; round < 5; round++) {
      // The guess past the free ones is checked, and shuts the gate behind it.
      await expect(tryLogin(guard, victim, attacker, false, checks)).resolves.toMatchObject({ verified: true });
      const refusal = await tryLogin(guard, victim, attacker, false, checks);
      if (refusal.verified) throw new Error('expected the gate to be shut');
      waits.push(refusal.retryAfterMs ?? 0);
      jest.advanceTimersByTime(refusal.retryAfterMs ?? 0);
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 4_000, 4_000]);
    await expect(tryLogin(guard, victim, attacker, true, checks)).resolves.toEqual({ verified: true, ok: true });
  });

  it('does not let refused attempts lengthen the wait', async () => {
    const guard = guardWith({ accountIpFreeFailures: 1, backoffBaseSec: 1, backoffMaxSec: 60 });
    await tryLogin(guard, victim, attacker, false, checks); // free
    await tryLogin(guard, victim, attacker, false, checks); // checked, gate shut for 1 s
    for (let i = 0; i < 50; i++) await expect(tryLogin(guard, victim, attacker, false, checks)).resolves.toMatchObject({ code: 'RATE_LIMITED' });
    jest.advanceTimersByTime(1_000);
    await expect(tryLogin(guard, victim, attacker, false, checks)).resolves.toMatchObject({ verified: true });
    // The third failure waits 2 s, as if the 50 refused attempts never happened.
    await expect(tryLogin(guard, victim, attacker, false, checks)).resolves.toMatchObject({ retryAfterMs: 2_000 });
  });

  it('keeps a guesser on one address from slowing the owner on another, and forgets a client’s failures once it logs in', async () => {
    const guard = guardWith({ accountIpFreeFailures: 2 });
    for (let i = 0; i < 3; i++) await tryLogin(guard, victim, attacker, false, checks);
    await expect(tryLogin(guard, victim, attacker, false, checks)).resolves.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(tryLogin(guard, victim, '198.51.100.1', true, checks)).resolves.toEqual({ verified: true, ok: true });

    // A typo or two, then the right password: the next typos are free again.
    const owner = '198.51.100.2';
    await tryLogin(guard, victim, owner, false, checks);
    await tryLogin(guard, victim, owner, false, checks);
    await tryLogin(guard, victim, owner, true, checks);
    const before = checks.n;
    await tryLogin(guard, victim, owner, false, checks);
    await tryLogin(guard, victim, owner, false, checks);
    expect(checks.n).toBe(before + 2);
  });

  it('slows guesses at one account spread over many addresses once the account-wide free failures are used', async () => {
    const guard = guardWith({ accountFreeFailures: 5 });
    for (let i = 0; i < 5; i++) await expect(tryLogin(guard, victim, `10.0.0.${i}`, false, checks)).resolves.toMatchObject({ verified: true });
    await expect(tryLogin(guard, victim, '10.0.1.1', false, checks)).resolves.toMatchObject({ verified: true });
    await expect(tryLogin(guard, victim, '10.0.1.2', false, checks)).resolves.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 1_000 });
    // Another account is untouched.
    await expect(tryLogin(guard, { userId: 'u-other' }, '10.0.1.2', false, checks)).resolves.toMatchObject({ verified: true });
  });

  it('keeps the owner signing in from an address they used before while guessers from many addresses hold the account-wide gate shut', async () => {
    const guard = guardWith({ accountFreeFailures: 5, backoffBaseSec: 300, backoffMaxSec: 300 });
    const home = '198.51.100.20';
    await expect(tryLogin(guard, victim, home, true, checks)).resolves.toEqual({ verified: true, ok: true });

    // The attack: every address guesses once, far below its own limits; the account-wide gate shuts.
    for (let i = 0; i < 6; i++) await expect(tryLogin(guard, victim, `10.0.0.${i}`, false, checks)).resolves.toMatchObject({ verified: true });
    for (let i = 6; i < 20; i++) await expect(tryLogin(guard, victim, `10.0.0.${i}`, false, checks)).resolves.toMatchObject({ code: 'RATE_LIMITED' });
    // An address the account never signed in from is still refused, even with the right password.
    await expect(tryLogin(guard, victim, '10.0.9.9', true, checks)).resolves.toMatchObject({ code: 'RATE_LIMITED' });

    // The owner's known address gets in, again and again, while the gate stays shut for the others.
    await expect(tryLogin(guard, victim, home, true, checks)).resolves.toEqual({ verified: true, ok: true });
    await expect(tryLogin(guard, victim, home, true, checks)).resolves.toEqual({ verified: true, ok: true });
    await expect(tryLogin(guard, victim, '10.0.9.10', false, checks)).resolves.toMatchObject({ code: 'RATE_LIMITED' });
    // Known is per account: the home address has no standing at another one.
    await expect(tryLogin(guard, { userId: 'u-other' }, home, false, checks)).resolves.toMatchObject({ verified: true });

    // A known address still has its own per-(account, address) backoff.
    const strict = guardWith({ accountIpFreeFailures: 1, accountFreeFailures: 1 });
    await tryLogin(strict, victim, home, true, checks);
    await tryLogin(strict, victim, home, false, checks); // free
    await tryLogin(strict, victim, home, false, checks); // checked, shuts its gate
    await expect(tryLogin(strict, victim, home, false, checks)).resolves.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('knows the address an account was registered from, before its first sign-in', async () => {
    const guard = guardWith({ accountFreeFailures: 1, backoffBaseSec: 300, backoffMaxSec: 300 });
    const home = '198.51.100.30';
    await guard.registered(victim.userId, home);
    for (let i = 0; i < 3; i++) await tryLogin(guard, victim, `10.0.1.${i}`, false, checks); // the account-wide gate shuts
    await expect(tryLogin(guard, victim, '10.0.9.9', true, checks)).resolves.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(tryLogin(guard, victim, home, true, checks)).resolves.toEqual({ verified: true, ok: true });
  });

  it('forgets a known address once it has not signed in for knownClientSec', async () => {
    const guard = guardWith({ accountFreeFailures: 1, backoffBaseSec: 300, backoffMaxSec: 300, knownClientSec: 3_600, failureMemorySec: 86_400 });
    const home = '198.51.100.21';
    await tryLogin(guard, victim, home, true, checks);
    jest.advanceTimersByTime(3_600_000);
    for (let i = 0; i < 2; i++) await tryLogin(guard, victim, `10.0.0.${i}`, false, checks);
    await expect(tryLogin(guard, victim, home, true, checks)).resolves.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('refuses one address spraying many accounts once its failures per window are used, and not other addresses', async () => {
    const guard = guardWith({ ipFailures: 5, ipWindowSec: 900 });
    for (let i = 0; i < 5; i++) await expect(tryLogin(guard, { userId: `u-${i}` }, attacker, false, checks)).resolves.toMatchObject({ verified: true });
    const refusal = await tryLogin(guard, { userId: 'u-next' }, attacker, false, checks);
    expect(refusal).toMatchObject({ code: 'RATE_LIMITED' });
    expect(refusal.verified ? 0 : refusal.retryAfterMs).toBeGreaterThan(800_000);
    await expect(tryLogin(guard, { userId: 'u-next' }, '198.51.100.9', false, checks)).resolves.toMatchObject({ verified: true });
    // Successful logins from an address do not use up its allowance.
    const office = '192.0.2.1';
    for (let i = 0; i < 10; i++) await expect(tryLogin(guard, { userId: `u-${i}` }, office, true, checks)).resolves.toMatchObject({ ok: true });
  });

  it('counts unknown usernames by their canonical key, like accounts', async () => {
    const guard = guardWith({ accountIpFreeFailures: 2 });
    const ghost: LoginSubject = { usernameKey: 'nobody' };
    for (let i = 0; i < 3; i++) await expect(tryLogin(guard, ghost, attacker, false, checks)).resolves.toMatchObject({ verified: true });
    await expect(tryLogin(guard, ghost, attacker, false, checks)).resolves.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('gives every slot back when the attempt is cancelled (the password was never checked)', async () => {
    const guard = guardWith({ accountIpFreeFailures: 1, ipFailures: 1 });
    for (let i = 0; i < 5; i++) {
      const attempt = await guard.reserve(victim, attacker);
      await attempt.cancel();
    }
    await expect(tryLogin(guard, victim, attacker, false, checks)).resolves.toMatchObject({ verified: true });
  });

  it('fails closed when the counters cannot be reached: nothing is checked', async () => {
    const down: ThrottleFactory = {
      create: () => ({
        consume: () => Promise.reject(new ParleyError('UNAVAILABLE', 'rate limit store unavailable')),
        refund: () => Promise.reject(new ParleyError('UNAVAILABLE', 'rate limit store unavailable')),
        peek: () => Promise.reject(new ParleyError('UNAVAILABLE', 'rate limit store unavailable')),
        reset: () => Promise.reject(new ParleyError('UNAVAILABLE', 'rate limit store unavailable')),
      }),
    };
    await expect(guardWith({}, down).reserve(victim, attacker)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
