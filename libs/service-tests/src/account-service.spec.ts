import { Argon2PasswordHasher, JwtTokenService, ZxcvbnPasswordPolicy } from '@parley/auth';
import { AccountService, RateLimiter, type Store } from '@parley/domain';
import { sequenceIds } from '@parley/domain/testing';
import { SqliteStore } from '@parley/store';
import { TEST_PASSWORD } from '@parley/testing';

describe('AccountService', () => {
  const passwordPolicy = new ZxcvbnPasswordPolicy();
  let store: Store;
  let accounts: AccountService;
  let now = 1_700_000_000_000;
  const clock = { now: () => now };

  beforeEach(async () => {
    store = new SqliteStore({ filename: ':memory:' });
    await store.migrate();
    accounts = new AccountService({
      store,
      hasher: new Argon2PasswordHasher({ memoryCost: 1024, timeCost: 1 }),
      passwordPolicy,
      tokens: new JwtTokenService({ secret: 's'.repeat(40) }, clock),
      ids: sequenceIds('u'),
      clock,
      loginFailures: new RateLimiter(clock, { ratePerSec: 1 / 6, burst: 3 }),
    });
    await accounts.register({ username: 'Alice', password: TEST_PASSWORD });
  });

  afterEach(() => store.close());

  it('logs in case-insensitively and never returns the password hash', async () => {
    const result = await accounts.login({ username: 'alice', password: TEST_PASSWORD });
    expect(result.user).toEqual({ id: 'u000001', username: 'Alice', displayName: 'Alice' });
    expect(JSON.stringify(result)).not.toContain('argon2');
    expect(accounts.authenticate(result.token)).toEqual({ userId: 'u000001', username: 'Alice' });
  });

  it('throttles password guessing per username, then lets the owner back in once tokens refill', async () => {
    for (let i = 0; i < 3; i++) {
      await expect(accounts.login({ username: 'alice', password: `guess-${i}` })).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    }
    // Even the right password is refused while the username is throttled: the guesser learns nothing.
    await expect(accounts.login({ username: 'ALICE', password: TEST_PASSWORD })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterMs: 6000,
    });
    now += 6000;
    await expect(accounts.login({ username: 'alice', password: TEST_PASSWORD })).resolves.toMatchObject({ user: { username: 'Alice' } });
  });

  it('refuses a weak password at registration, naming the rule, and creates no account', async () => {
    await expect(accounts.register({ username: 'bob_b', password: 'password' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'password: too common',
    });
    await expect(accounts.register({ username: 'bob_b', password: 'Bob_B-was-here' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'password: must not contain the username',
    });
    // Had a refused attempt created the account, this would be USERNAME_TAKEN.
    await expect(accounts.register({ username: 'bob_b', password: TEST_PASSWORD })).resolves.toMatchObject({ user: { username: 'bob_b' } });
  });

  it('throttles guesses at unknown usernames the same way', async () => {
    for (let i = 0; i < 3; i++) {
      await expect(accounts.login({ username: 'nobody', password: 'x' })).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    }
    await expect(accounts.login({ username: 'nobody', password: 'x' })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(accounts.login({ username: 'alice', password: TEST_PASSWORD })).resolves.toBeDefined();
  });
});
