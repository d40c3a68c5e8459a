import {
  ParleyError,
  type AuthResult,
  type LoginBody,
  type RegisterBody,
  type UpdateMeBody,
  type User,
  usernameKey,
} from '@parley/protocol';
import { ContentPolicy } from '../content/content-policy';
import type { Clock, IdGenerator, PasswordHasher, PasswordPolicy, UserRecord, UserStore } from '../ports';
import type { AuthSessionService } from './auth-sessions';
import type { ClientInfo } from './client-info';
import type { LoginGuard } from './login-guard';
import type { RegistrationGuard } from './registration-guard';
import { ReservedUsernames } from './reserved-usernames';
import { toUserView } from './user-view';

export interface AccountServiceDeps {
  store: UserStore;
  hasher: PasswordHasher;
  /** Refuses weak passwords at registration and password change, naming the rule. */
  passwordPolicy: PasswordPolicy;
  /** Starts the session (access and refresh tokens) each login or registration signs in to, bound to the password hash it verified. */
  sessions: AuthSessionService;
  ids: IdGenerator;
  clock: Clock;
  /** Failed-login limits per account, account and IP, and IP; reserved before each password check. */
  loginGuard: LoginGuard;
  /** Registrations per client IP. */
  registrationGuard: RegistrationGuard;
  /** PARLEY_ADMIN_USERS: names public registration refuses (an operator's, granted admin by name). @default none */
  reservedUsernames?: readonly string[];
  /** Screens display names (word filter: masked, or CONTENT_REJECTED). @default a policy that passes everything */
  content?: ContentPolicy;
}

/** Registration, login and profiles. Inputs arrive already validated by the protocol schemas. */
export class AccountService {
  /** Verified against when the username is unknown, so both failures cost the same. */
  private dummyHash: Promise<string> | undefined;
  private readonly reserved: ReservedUsernames;
  private readonly content: ContentPolicy;

  constructor(private readonly deps: AccountServiceDeps) {
    this.reserved = new ReservedUsernames(deps.reservedUsernames ?? []);
    this.content = deps.content ?? new ContentPolicy();
  }

  async register(body: RegisterBody, client: ClientInfo): Promise<AuthResult> {
    const { store, hasher, ids, clock, registrationGuard } = this.deps;
    await registrationGuard.admit(client.ip);
    // Counted as any refused registration (a taken name is too), so listed names cannot be probed faster.
    this.reserved.refuse(body.username);
    // The name others will see (the username when none is given), screened before any costly work.
    const displayName = this.content.screenName(body.displayName ?? body.username, 'displayName');
    this.deps.passwordPolicy.check(body.password, { username: body.username, displayName: body.displayName });
    const passwordHash = await hasher.hash(body.password).catch(async (err: unknown) => {
      // A saturated hasher did no work: the registration does not count.
      if (err instanceof ParleyError && err.code === 'RATE_LIMITED') await registrationGuard.giveBack(client.ip);
      throw err;
    });
    const record = await store.createUser({
      id: ids.next(),
      username: body.username,
      displayName,
      passwordHash,
      createdAt: clock.now(),
    });
    await this.deps.loginGuard.registered(record.id, client.ip);
    return this.authResult(record, client);
  }

  async login(body: LoginBody, client: ClientInfo): Promise<AuthResult> {
    const { store, hasher, loginGuard } = this.deps;
    const record = await store.findUserByUsername(body.username);
    // Reserved before the password is checked, keyed by the account (or, unknown, the canonical name).
    const attempt = await loginGuard.reserve(record ? { userId: record.id } : { usernameKey: usernameKey(body.username) }, client.ip);
    let valid: boolean;
    try {
      // An unknown username is checked against a dummy hash, so both failures cost the same.
      valid = await hasher.verify(record ? record.passwordHash : await this.getDummyHash(), body.password);
    } catch (err) {
      await attempt.cancel();
      throw err;
    }
    if (!record || !valid) throw invalidCredentials();
    await attempt.succeeded();
    // Said only to whoever knows the password: a guesser learns nothing of the suspension.
    if (record.suspendedAt !== null) throw accountSuspended();
    return this.authResult(record, client);
  }

  async getUser(userId: string): Promise<User> {
    const record = await this.deps.store.getUser(userId);
    if (!record) throw new ParleyError('NOT_FOUND', 'user not found');
    return toUserView(record);
  }

  async updateProfile(userId: string, patch: UpdateMeBody): Promise<User> {
    const screened = patch.displayName === undefined ? patch : { ...patch, displayName: this.content.screenName(patch.displayName, 'displayName') };
    const record = await this.deps.store.updateProfile(userId, screened);
    return toUserView(record);
  }

  async search(query: string, limit: number, offset: number): Promise<User[]> {
    const records = await this.deps.store.searchUsers(query, limit, offset);
    return records.map(toUserView);
  }

  private async authResult(record: UserRecord, client: ClientInfo): Promise<AuthResult> {
    return { user: toUserView(record), ...(await this.deps.sessions.start(record, client.userAgent ?? null)) };
  }

  private getDummyHash(): Promise<string> {
    // Forgotten if it failed (e.g. the hasher was saturated), so a later login makes it again.
    this.dummyHash ??= this.deps.hasher.hash('parley-dummy-password').catch((err: unknown) => {
      this.dummyHash = undefined;
      throw err;
    });
    return this.dummyHash;
  }
}

function accountSuspended(): ParleyError {
  return new ParleyError('ACCOUNT_SUSPENDED', 'this account is suspended by an operator');
}

function invalidCredentials(): ParleyError {
  return new ParleyError('INVALID_CREDENTIALS', 'wrong username or password');
}
