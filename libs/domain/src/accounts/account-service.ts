import {
  ParleyError,
  type AuthResult,
  type LoginBody,
  type RegisterBody,
  type UpdateMeBody,
  type User,
} from '@parley/protocol';
import type { Clock, IdGenerator, PasswordHasher, TokenClaims, TokenService, UserStore } from '../ports';
import type { RateLimiter } from '../limits/rate-limiter';
import { toUserView } from './user-view';

export interface AccountServiceDeps {
  store: UserStore;
  hasher: PasswordHasher;
  tokens: TokenService;
  ids: IdGenerator;
  clock: Clock;
  /** Failed logins per username; a username out of tokens gets RATE_LIMITED (password guessing). */
  loginFailures?: RateLimiter;
}

/** Registration, login and profiles. Inputs arrive already validated by the protocol schemas. */
export class AccountService {
  /** Verified against when the username is unknown, so both failures cost the same. */
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly deps: AccountServiceDeps) {}

  async register(body: RegisterBody): Promise<AuthResult> {
    const { store, hasher, ids, clock } = this.deps;
    const passwordHash = await hasher.hash(body.password);
    const record = await store.createUser({
      id: ids.next(),
      username: body.username,
      displayName: body.displayName ?? body.username,
      passwordHash,
      createdAt: clock.now(),
    });
    return this.authResult(record.id, record.username, toUserView(record));
  }

  async login(body: LoginBody): Promise<AuthResult> {
    const { store, hasher, loginFailures } = this.deps;
    const key = body.username.toLowerCase();
    const gate = loginFailures?.peek(key);
    if (gate && !gate.ok) {
      throw new ParleyError('RATE_LIMITED', 'too many failed logins; try again later', { retryAfterMs: gate.retryAfterMs });
    }
    const record = await store.findUserByUsername(body.username);
    if (!record) {
      await hasher.verify(await this.getDummyHash(), body.password);
      loginFailures?.take(key);
      throw invalidCredentials();
    }
    if (!(await hasher.verify(record.passwordHash, body.password))) {
      loginFailures?.take(key);
      throw invalidCredentials();
    }
    return this.authResult(record.id, record.username, toUserView(record));
  }

  authenticate(token: string): TokenClaims {
    return this.deps.tokens.verify(token);
  }

  async getUser(userId: string): Promise<User> {
    const record = await this.deps.store.getUser(userId);
    if (!record) throw new ParleyError('NOT_FOUND', 'user not found');
    return toUserView(record);
  }

  async updateProfile(userId: string, patch: UpdateMeBody): Promise<User> {
    const record = await this.deps.store.updateProfile(userId, patch);
    return toUserView(record);
  }

  async search(query: string, limit: number, offset: number): Promise<User[]> {
    const records = await this.deps.store.searchUsers(query, limit, offset);
    return records.map(toUserView);
  }

  private authResult(userId: string, username: string, user: User): AuthResult {
    const { token, expiresAt } = this.deps.tokens.issue({ userId, username });
    return { user, token, expiresAt };
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= this.deps.hasher.hash('parley-dummy-password');
    return this.dummyHash;
  }
}

function invalidCredentials(): ParleyError {
  return new ParleyError('INVALID_CREDENTIALS', 'wrong username or password');
}
