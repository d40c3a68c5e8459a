import { LoginGuard, RegistrationGuard, type AccountService, type AuthSessionService, type Store } from '@parley/domain';
import { TEST_PASSWORD } from '@parley/testing';
import { createAccountWorld } from './support/account-world';

describe('AccountService', () => {
  let store: Store;
  let accounts: AccountService;
  let sessions: AuthSessionService;
  const now = 1_700_000_000_000;
  const clock = { now: () => now };
  const client = { ip: '203.0.113.5' };

  beforeEach(async () => {
    // The throttles' memory engine reads Date.now(); promises and argon2 run for real.
    jest.useFakeTimers({ now, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    ({ store, accounts, sessions } = await createAccountWorld({
      clock,
      accounts: (throttles) => ({
        loginGuard: new LoginGuard(throttles, { accountIpFreeFailures: 3, backoffBaseSec: 1 }),
        registrationGuard: new RegistrationGuard(throttles, { perIp: 5, windowSec: 600 }),
      }),
    }));
    await accounts.register({ username: 'Alice', password: TEST_PASSWORD }, client);
  });

  afterEach(() => {
    jest.useRealTimers();
    return store.close();
  });

  it('logs in case-insensitively and never returns the password hash', async () => {
    const result = await accounts.login({ username: 'alice', password: TEST_PASSWORD }, client);
    expect(result.user).toEqual({ id: 'u000001', username: 'Alice', displayName: 'Alice' });
    expect(JSON.stringify(result)).not.toContain('argon2');
    expect(await sessions.authenticate(result.token)).toMatchObject({ userId: 'u000001', username: 'Alice', sessionId: result.sessionId });
  });

  it('throttles password guessing per account: the free failures, one more checked, then a wait even for the right password', async () => {
    for (let i = 0; i < 4; i++) {
      await expect(accounts.login({ username: 'alice', password: `guess-${i}` }, client)).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    }
    // Another spelling of the same name is the same account, with the same wait; the guesser learns nothing.
    await expect(accounts.login({ username: 'ALICE', password: TEST_PASSWORD }, client)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterMs: 1000,
    });
    jest.advanceTimersByTime(1000);
    await expect(accounts.login({ username: 'alice', password: TEST_PASSWORD }, client)).resolves.toMatchObject({ user: { username: 'Alice' } });
  });

  it('limits registrations per address before hashing anything, and creates no account when it refuses', async () => {
    // Alice's registration was the first of five.
    for (const username of ['carol_c', 'dave_d', 'frank_f', 'grace_g']) await accounts.register({ username, password: TEST_PASSWORD }, client);
    await expect(accounts.register({ username: 'erin_e', password: TEST_PASSWORD }, client)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterMs: expect.any(Number),
    });
    expect(await store.findUserByUsername('erin_e')).toBeNull();
    await expect(accounts.register({ username: 'erin_e', password: TEST_PASSWORD }, { ip: '198.51.100.7' })).resolves.toBeDefined();
  });

  it('refuses a weak password at registration, naming the rule, and creates no account', async () => {
    await expect(accounts.register({ username: 'bob_b', password: 'password' }, client)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'password: too common',
    });
    await expect(accounts.register({ username: 'bob_b', password: 'Bob_B-was-here' }, client)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'password: must not contain the username',
    });
    // Had a refused attempt created the account, this would be USERNAME_TAKEN.
    await expect(accounts.register({ username: 'bob_b', password: TEST_PASSWORD }, client)).resolves.toMatchObject({ user: { username: 'bob_b' } });
  });

  it('throttles guesses at unknown usernames the same way', async () => {
    for (let i = 0; i < 3; i++) {
      await expect(accounts.login({ username: 'nobody', password: 'x' }, client)).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    }
    await expect(accounts.login({ username: 'nobody', password: 'x' }, client)).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    await expect(accounts.login({ username: 'nobody', password: 'x' }, client)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(accounts.login({ username: 'alice', password: TEST_PASSWORD }, client)).resolves.toBeDefined();
  });
});
