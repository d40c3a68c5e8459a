import { Argon2PasswordHasher, JwtTokenService } from '@parley/auth';
import { AccountService, RateLimiter, type Store } from '@parley/domain';
import { sequenceIds } from '@parley/domain/testing';
import { SqliteStore } from '@parley/store';

describe('AccountService', () => {
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
      tokens: new JwtTokenService({ secret: 's'.repeat(40) }, clock),
      ids: sequenceIds('u'),
      clock,
      loginFailures: new RateLimiter(clock, { ratePerSec: 1 / 6, burst: 3 }),
    });
    await accounts.register({ username: 'Alice', password: 'right-password' });
  });

  afterEach(() => store.close());

  it('logs in case-insensitively and never returns the password hash', async () => {
    const result = await accounts.login({ username: 'alice', password: 'right-password' });
    expect(result.user).toEqual({ id: 'u000001', username: 'Alice', displayName: 'Alice' });
    expect(JSON.stringify(result)).not.toContain('argon2');
    expect(accounts.authenticate(result.token)).toEqual({ userId: 'u000001', username: 'Alice' });
  });

  it('throttles password guessing per username, then lets the owner back in once tokens refill', async () => {
    for (let i = 0; i < 3; i++) {
      await expect(accounts.login({ username: 'alice', password: `guess-${i}` })).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    }
    // Even the right password is refused while the username is throttled: the guesser learns nothing.
    await expect(accounts.login({ username: 'ALICE', password: 'right-password' })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterMs: 6000,
    });
    now += 6000;
    await expect(accounts.login({ username: 'alice', password: 'right-password' })).resolves.toMatchObject({ user: { username: 'Alice' } });
  });

  it('throttles guesses at unknown usernames the same way', async () => {
    for (let i = 0; i < 3; i++) {
      await expect(accounts.login({ username: 'nobody', password: 'x' })).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    }
    await expect(accounts.login({ username: 'nobody', password: 'x' })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(accounts.login({ username: 'alice', password: 'right-password' })).resolves.toBeDefined();
  });
});
