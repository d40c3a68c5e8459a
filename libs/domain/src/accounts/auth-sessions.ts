import {
  ParleyError,
  type AuthResult,
  type ChangePasswordBody,
  type DeleteAccountBody,
  type SessionEndReason,
} from '@parley/protocol';
import type {
  AuthSessionStore,
  Clock,
  GroupStore,
  IdGenerator,
  PasswordHasher,
  PasswordPolicy,
  SecretCodec,
  SessionEndNotifier,
  TokenClaims,
  TokenService,
  UserRecord,
  UserStore,
  VerifiedToken,
} from '../ports';
import { announceAccountRemoval, type GatewayEvents } from './account-removal-effects';
import type { ClientInfo } from './client-info';
import type { LoginGuard } from './login-guard';
import { SessionGate } from './session-gate';
import { toUserView } from './user-view';

/** How long a refresh token (and so an idle sign-in) lives: 30 days, extended at each use. */
export const DEFAULT_REFRESH_TTL_SECONDS = 30 * 86_400;

/** Random bytes in a refresh token's secret part. */
const REFRESH_SECRET_BYTES = 32;

export interface AuthSessionServiceDeps {
  store: AuthSessionStore & UserStore & Pick<GroupStore, 'getGroup'>;
  tokens: TokenService;
  hasher: PasswordHasher;
  secrets: SecretCodec;
  ids: IdGenerator;
  clock: Clock;
  /** Tells the IM nodes to close the ended sessions' sockets. */
  sessionEnds: SessionEndNotifier;
  /** Pushes what others see of a deleted account (friendships and group memberships ended). @default none */
  events?: GatewayEvents;
  /** Refuses a weak new password (change password), naming the rule. */
  passwordPolicy: PasswordPolicy;
  /**
   * Counts a wrong password confirmation (change password, delete account)
   * as a failed login of the account, so a stolen access token cannot be used
   * to guess the password. @default unlimited
   */
  passwordGuard?: LoginGuard;
  /** @default DEFAULT_REFRESH_TTL_SECONDS */
  refreshTtlSeconds?: number;
  /**
   * Told when the IM nodes could not be told (the revocation is committed
   * anyway: the sockets end at their next check). @default ignore
   */
  onNotifyError?: (err: unknown) => void;
}

/** An AuthResult without its user: what starting or refreshing a session issues. */
export type SessionTokens = Omit<AuthResult, 'user' | 'refreshToken'> & { refreshToken: string };

/**
 * Sign-ins with a lifecycle: each login or registration starts a session
 * (a row naming the user), short-lived access tokens name it (`sid`), and a
 * rotating refresh token renews them. The refresh token is
 * `<sessionId>.<32 random bytes, base64url>` and only its SHA-256 is stored;
 * presenting a rotated-away token again means a copy leaked, so the session
 * ends (`refresh-reused`). Logout, logout everywhere, a password change and account deletion
 * end sessions, and the IM nodes are told so their sockets close at once.
 */
export class AuthSessionService {
  private readonly gate: SessionGate;
  private readonly refreshTtlMs: number;

  constructor(private readonly deps: AuthSessionServiceDeps) {
    this.gate = new SessionGate({ tokens: deps.tokens, store: deps.store, clock: deps.clock });
    this.refreshTtlMs = (deps.refreshTtlSeconds ?? DEFAULT_REFRESH_TTL_SECONDS) * 1000;
  }

  /** The refresh token's lifetime, seconds (the cookie's Max-Age). */
  get refreshTtlSeconds(): number {
    return this.refreshTtlMs / 1000;
  }

  /**
   * A new sign-in of the user with the password hash it verified: its session
   * row, a first access token and refresh token. INVALID_CREDENTIALS, nothing
   * created, when the account was deleted or its password changed meanwhile
   * (a sign-in with the old password must not outlive the change).
   */
  async start(user: Pick<UserRecord, 'id' | 'username' | 'passwordHash'>, userAgent: string | null): Promise<SessionTokens> {
    const { store, ids, clock, secrets } = this.deps;
    const now = clock.now();
    const sessionId = ids.next();
    const refreshToken = this.newRefreshToken(sessionId);
    const refreshExpiresAt = now + this.refreshTtlMs;
    const created = await store.createAuthSession({
      id: sessionId,
      userId: user.id,
      refreshHash: secrets.fingerprint(refreshToken),
      createdAt: now,
      expiresAt: refreshExpiresAt,
      userAgent,
      passwordHash: user.passwordHash,
    });
    if (!created) {
      // Suspended between the password check and now (the store refuses the session): say so, as login does.
      const now = await store.getUser(user.id);
      if (now && now.deletedAt === null && now.suspendedAt !== null) throw new ParleyError('ACCOUNT_SUSPENDED', 'this account is suspended by an operator');
      throw new ParleyError('INVALID_CREDENTIALS', 'wrong username or password');
    }
    return { ...this.accessToken(user, sessionId), sessionId, refreshToken, refreshExpiresAt };
  }

  /**
   * Trades a refresh token for a new access token and a new refresh token.
   * UNAUTHORIZED for an unknown, revoked or expired one; a token presented
   * again after it was rotated ends its session (a copy is in other hands).
   */
  async refresh(refreshToken: string): Promise<AuthResult & { refreshToken: string }> {
    const { store, clock, secrets } = this.deps;
    const sessionId = sessionIdOf(refreshToken);
    const now = clock.now();
    const next = this.newRefreshToken(sessionId);
    const refreshExpiresAt = now + this.refreshTtlMs;
    const outcome = await store.rotateRefreshToken(sessionId, secrets.fingerprint(refreshToken), secrets.fingerprint(next), now, refreshExpiresAt);
    if (outcome === 'reused') {
      const session = await store.getAuthSession(sessionId);
      if (session) await this.revoke(session.userId, sessionId, 'refresh-reused');
      throw new ParleyError('UNAUTHORIZED', 'this refresh token was already used; the session is ended, sign in again');
    }
    if (outcome !== 'rotated') throw sessionEnded();
    const session = await store.getAuthSession(sessionId);
    const user = session ? await store.getUser(session.userId) : null;
    // A suspension revokes the sessions; this covers a rotation that raced it.
    if (!session || !user || user.deletedAt !== null || user.suspendedAt !== null) throw sessionEnded();
    return {
      user: toUserView(user),
      ...this.accessToken(user, sessionId),
      sessionId,
      refreshToken: next,
      refreshExpiresAt,
    };
  }

  /** Verifies an access token and that its session is still active; UNAUTHORIZED otherwise. */
  authenticate(token: string): Promise<VerifiedToken> {
    return this.gate.admit(token);
  }

  /** Ends one session (its access tokens stop working at once). Ending an ended one is not an error. */
  async logout(claims: TokenClaims): Promise<void> {
    await this.revoke(claims.userId, claims.sessionId, 'logout');
  }

  /**
   * Logout by the refresh token alone (a browser whose access token is gone):
   * only its current holder can end the session; any other token changes nothing.
   */
  async logoutByRefreshToken(refreshToken: string): Promise<void> {
    const { store, clock, secrets } = this.deps;
    const sessionId = sessionIdOf(refreshToken);
    const now = clock.now();
    // Rotating to a secret nobody holds proves possession and leaves nothing usable behind.
    const outcome = await store.rotateRefreshToken(sessionId, secrets.fingerprint(refreshToken), secrets.fingerprint(this.newRefreshToken(sessionId)), now, now);
    if (outcome !== 'rotated' && outcome !== 'reused') return;
    const session = await store.getAuthSession(sessionId);
    if (session) await this.revoke(session.userId, sessionId, 'logout');
  }

  /** Ends every session of the user, this one included. */
  async logoutAll(claims: TokenClaims): Promise<void> {
    const ids = await this.deps.store.revokeUserAuthSessions(claims.userId, 'logout-all', this.deps.clock.now());
    await this.notify(claims.userId, ids, 'logout-all');
  }

  /**
   * Changes the password after checking the current one (INVALID_CREDENTIALS,
   * nothing changed, when wrong) and the new one against the policy; every
   * other session of the user ends, this one stays.
   */
  async changePassword(claims: TokenClaims, body: ChangePasswordBody, client: ClientInfo): Promise<void> {
    const { store, hasher, passwordPolicy, clock } = this.deps;
    const user = await this.verifyPassword(claims.userId, body.currentPassword, client);
    passwordPolicy.check(body.newPassword, { username: user.username, displayName: user.displayName });
    const newHash = await hasher.hash(body.newPassword);
    // One transaction: a new password never leaves the other sessions alive.
    const ids = await store.changePasswordHash(user.id, newHash, claims.sessionId, clock.now());
    await this.notify(user.id, ids, 'password-changed');
  }

  /**
   * Deletes the account after checking its password (INVALID_CREDENTIALS,
   * nothing changed, when wrong): see UserStore.deleteUser. Every session ends.
   */
  async deleteAccount(claims: TokenClaims, body: DeleteAccountBody, client: ClientInfo): Promise<void> {
    const { store, clock } = this.deps;
    const user = await this.verifyPassword(claims.userId, body.password, client);
    const deleted = await store.deleteUser(user.id, clock.now());
    await this.notify(user.id, deleted.sessionIds, 'account-deleted');
    if (this.deps.events) {
      await announceAccountRemoval(store, this.deps.events, user.id, deleted).catch((err: unknown) => this.deps.onNotifyError?.(err));
    }
  }

  /** The user, once `password` is theirs; a wrong one counts as a failed login (RATE_LIMITED after too many). */
  private async verifyPassword(userId: string, password: string, client: ClientInfo): Promise<UserRecord> {
    const user = await this.deps.store.getUser(userId);
    if (!user || user.deletedAt !== null) throw sessionEnded();
    // Reserved before the check, as login does, so parallel guesses cannot overtake the count.
    const attempt = await this.deps.passwordGuard?.reserve({ userId }, client.ip);
    let valid: boolean;
    try {
      valid = await this.deps.hasher.verify(user.passwordHash, password);
    } catch (err) {
      await attempt?.cancel();
      throw err;
    }
    if (!valid) throw new ParleyError('INVALID_CREDENTIALS', 'the password is wrong');
    await attempt?.succeeded();
    return user;
  }

  private async revoke(userId: string, sessionId: string, reason: SessionEndReason): Promise<void> {
    if (await this.deps.store.revokeAuthSession(sessionId, reason, this.deps.clock.now())) {
      await this.notify(userId, [sessionId], reason);
    }
  }

  private async notify(userId: string, sessionIds: readonly string[], reason: SessionEndReason): Promise<void> {
    if (sessionIds.length === 0) return;
    try {
      await this.deps.sessionEnds.sessionsEnded(userId, sessionIds, reason);
    } catch (err) {
      this.deps.onNotifyError?.(err);
    }
  }

  private accessToken(user: Pick<UserRecord, 'id' | 'username'>, sessionId: string): { token: string; expiresAt: number } {
    return this.deps.tokens.issue({ userId: user.id, username: user.username, sessionId });
  }

  private newRefreshToken(sessionId: string): string {
    return `${sessionId}.${this.deps.secrets.randomSecret(REFRESH_SECRET_BYTES)}`;
  }
}

/** The session a refresh token names (the part before its dot); UNAUTHORIZED when it has no such shape. */
function sessionIdOf(refreshToken: string): string {
  const dot = refreshToken.indexOf('.');
  if (dot <= 0 || dot === refreshToken.length - 1) throw sessionEnded();
  return refreshToken.slice(0, dot);
}

function sessionEnded(): ParleyError {
  return new ParleyError('UNAUTHORIZED', 'session ended; sign in again');
}
