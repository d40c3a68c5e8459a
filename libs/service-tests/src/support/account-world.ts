import { Argon2PasswordHasher, JwtTokenService, NodeSecretCodec, ZxcvbnPasswordPolicy } from '@parley/auth';
import {
  AccountService,
  AuthSessionService,
  LoginGuard,
  RegistrationGuard,
  type AccountServiceDeps,
  type AuthSessionServiceDeps,
  type Clock,
  type Store,
} from '@parley/domain';
import { sequenceIds } from '@parley/domain/testing';
import { MemoryThrottleFactory } from '@parley/limits';
import { SqliteStore } from '@parley/store';

/** Accounts over an in-memory SQLite store with real hashing (cheap argon2), tokens and guards. */
export interface AccountWorld {
  store: Store;
  accounts: AccountService;
  sessions: AuthSessionService;
  tokens: JwtTokenService;
  throttles: MemoryThrottleFactory;
}

export interface AccountWorldOptions {
  clock: Clock;
  sessionEnds?: AuthSessionServiceDeps['sessionEnds'];
  /** Overrides of AccountService's deps (guards with other limits, a content policy). */
  accounts?: (throttles: MemoryThrottleFactory) => Partial<AccountServiceDeps>;
}

export async function createAccountWorld(options: AccountWorldOptions): Promise<AccountWorld> {
  const { clock } = options;
  const store = new SqliteStore({ filename: ':memory:' });
  await store.migrate();
  const throttles = new MemoryThrottleFactory();
  const hasher = new Argon2PasswordHasher({ memoryCost: 1024, timeCost: 1 });
  const passwordPolicy = new ZxcvbnPasswordPolicy();
  const tokens = new JwtTokenService({ secret: 's'.repeat(40) }, clock);
  const sessions = new AuthSessionService({
    store,
    tokens,
    hasher,
    secrets: new NodeSecretCodec(),
    ids: sequenceIds('s'),
    clock,
    sessionEnds: options.sessionEnds ?? { sessionsEnded: async () => undefined },
    passwordPolicy,
  });
  // Guards built only when not overridden: a throttle name takes one set of limits.
  const overrides = options.accounts?.(throttles) ?? {};
  const accounts = new AccountService({
    store,
    hasher,
    passwordPolicy,
    sessions,
    ids: sequenceIds('u'),
    clock,
    ...overrides,
    loginGuard: overrides.loginGuard ?? new LoginGuard(throttles),
    registrationGuard: overrides.registrationGuard ?? new RegistrationGuard(throttles),
  });
  return { store, accounts, sessions, tokens, throttles };
}
