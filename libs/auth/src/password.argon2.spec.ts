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
});
