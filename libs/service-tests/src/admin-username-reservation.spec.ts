import { Argon2PasswordHasher, JwtTokenService, NodeSecretCodec, ZxcvbnPasswordPolicy } from '@parley/auth';
import { AccountService, AdminService, AuthSessionService, LoginGuard, RegistrationGuard, type Store } from '@parley/domain';
import { sequenceIds } from '@parley/domain/testing';
import { MemoryThrottleFactory } from '@parley/limits';
import { ParleyError } from '@parley/protocol';
import { SqliteStore } from '@parley/store';
import { TEST_PASSWORD } from '@parley/testing';

/**
 * PARLEY_ADMIN_USERS grants admin by name, so its names are reserved: public
 * registration refuses them (any case or width), whether nobody ever held
 * the name or a deleted account freed it. The operator registers first and
 * lists the name after (here: an account service without the list, then one
 * with it, as a gateway restarted with the new setting).
 */
describe('usernames listed in PARLEY_ADMIN_USERS', () => {
  const passwordPolicy = new ZxcvbnPasswordPolicy();
  const client = { ip: '203.0.113.7' };
  const clock = { now: () => 1_700_000_000_000 };
  const listed = ['Root', 'chief'];
  let store: Store;
  let accountsWith: (adminUsernames: readonly string[]) => AccountService;
  let admin: AdminService;

  beforeEach(async () => {
    store = new SqliteStore({ filename: ':memory:' });
    await store.migrate();
    const throttles = new MemoryThrottleFactory();
    const hasher = new Argon2PasswordHasher({ memoryCost: 1024, timeCost: 1 });
    const tokens = new JwtTokenService({ secret: 's'.repeat(40) }, clock);
    const sessionEnds = { sessionsEnded: async () => undefined };
    const sessions = new AuthSessionService({ store, tokens, hasher, secrets: new NodeSecretCodec(), ids: sequenceIds('s'), clock, sessionEnds, passwordPolicy });
    const ids = sequenceIds('u');
    const registrationGuard = new RegistrationGuard(throttles, { perIp: 1_000 });
    const loginGuard = new LoginGuard(throttles);
    accountsWith = (adminUsernames) =>
      new AccountService({ store, hasher, passwordPolicy, sessions, ids, clock, loginGuard, registrationGuard, reservedUsernames: adminUsernames });
    const fleet = { gatewayId: 'gw-1', nodeReports: () => [], connectedNodes: () => [], sendAdmin: () => [], broadcastAdmin: () => [] };
    admin = new AdminService({ store, sessionEnds, fleet, throttles, clock, ids: sequenceIds('a'), adminUsernames: listed });
  });

  afterEach(() => store.close());

  const refusal = (promise: Promise<unknown>): Promise<string> =>
    promise.then(
      () => 'registered',
      (err: unknown) => (err instanceof ParleyError ? `${err.code}: ${err.message}` : String(err)),
    );
  const RESERVED = 'USERNAME_TAKEN: this username is reserved for an operator (listed in PARLEY_ADMIN_USERS)';

  it('refuses to register a listed name nobody holds (any case, any width, many at once): 409, no account', async () => {
    const accounts = accountsWith(listed);
    const names = ['chief', 'CHIEF', 'Chief', 'ｃｈｉｅｆ', 'root', 'ROOT'];
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => refusal(accounts.register({ username: names[i % names.length] ?? 'chief', password: TEST_PASSWORD }, client))));
    expect(new Set(answers)).toEqual(new Set([RESERVED]));
    expect(await store.findUserByUsername('chief')).toBeNull();
    expect(await store.findUserByUsername('root')).toBeNull();
    // Names not listed register as ever.
    await expect(accounts.register({ username: 'chiefly', password: TEST_PASSWORD }, client)).resolves.toMatchObject({ user: { username: 'chiefly' } });
  });

  it('an account registered before its name was listed is an admin; once deleted, its name cannot be registered again', async () => {
    const root = await accountsWith([]).register({ username: 'root', password: TEST_PASSWORD }, client);
    const accounts = accountsWith(listed);
    await expect(admin.authorize(root.user.id, 'fleet:read')).resolves.toEqual({ userId: root.user.id, username: 'root' });
    // Its holder still signs in.
    await expect(accounts.login({ username: 'ROOT', password: TEST_PASSWORD }, client)).resolves.toMatchObject({ user: { id: root.user.id } });
    expect(await refusal(accounts.register({ username: 'root', password: TEST_PASSWORD }, client))).toBe(RESERVED);

    await store.deleteUser(root.user.id, clock.now());
    expect(await store.findUserByUsername('root')).toBeNull();
    for (const name of ['root', 'Root', 'ｒｏｏｔ']) {
      expect(await refusal(accounts.register({ username: name, password: TEST_PASSWORD }, client))).toBe(RESERVED);
    }
    expect(await store.findUserByUsername('root')).toBeNull();
  });
});
