import { Argon2PasswordHasher } from './password.argon2';

describe('Argon2PasswordHasher', () => {
  const hasher = new Argon2PasswordHasher({ memoryCost: 4096, timeCost: 1 });

  it('hashes with argon2id and a salt, and verifies only the right password', async () => {
    const a = await hasher.hash('correct horse');
    const b = await hasher.hash('correct horse');
    expect(a).toMatch(/^\$argon2id\$/);
    expect(a).not.toBe(b);
    expect(await hasher.verify(a, 'correct horse')).toBe(true);
    expect(await hasher.verify(a, 'wrong horse')).toBe(false);
    expect(await hasher.verify('not-a-hash', 'x')).toBe(false);
  });

  it('queues a burst of hashes up to its limit and refuses the rest with RATE_LIMITED, never a crash or a false "wrong password"', async () => {
    const small = new Argon2PasswordHasher({ memoryCost: 1024, timeCost: 1, concurrency: 1, maxQueue: 4, busyRetryAfterMs: 300 });
    const stored = await small.hash('pw');
    const burst = await Promise.allSettled([
      ...Array.from({ length: 10 }, () => small.hash('flood')),
      ...Array.from({ length: 10 }, () => small.verify(stored, 'pw')),
    ]);
    const done = burst.filter((r) => r.status === 'fulfilled');
    const refused = burst.filter((r) => r.status === 'rejected');
    expect(done).toHaveLength(5);
    expect(refused).toHaveLength(15);
    for (const r of refused) expect(r.reason).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 300 });
    // Refused verifications are errors, not "wrong password"; once the burst is over the owner verifies.
    await expect(small.verify(stored, 'pw')).resolves.toBe(true);
  });
});
