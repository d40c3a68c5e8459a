import type { SessionEndReason } from '@parley/protocol';

/**
 * A sign-in (one device or browser): what the access tokens' `sid` claim
 * names. The refresh token itself is never stored, only its SHA-256 (hex).
 */
export interface AuthSessionRecord {
  id: string;
  userId: string;
  createdAt: number;
  lastUsedAt: number;
  /** When the refresh token (and so the session) expires, epoch ms. */
  expiresAt: number;
  revokedAt: number | null;
  revokeReason: SessionEndReason | null;
  userAgent: string | null;
}

export interface NewAuthSession {
  id: string;
  userId: string;
  refreshHash: string;
  createdAt: number;
  expiresAt: number;
  userAgent: string | null;
  /**
   * The password hash the sign-in verified: the session is created only while
   * it is still the user's, so a sign-in racing a password change cannot
   * outlive it. Never stored in the session.
   */
  passwordHash: string;
}

/**
 * What presenting a refresh token did: `rotated` (it was current: now
 * replaced by the new hash), `reused` (it was the previous one: a copy is in
 * someone else's hands), `unknown` (matches neither), `inactive` (the session
 * is revoked or expired).
 */
export type RefreshRotation = 'rotated' | 'reused' | 'unknown' | 'inactive';

export interface AuthSessionStore {
  /**
   * Null, nothing created, when the user is unknown, deleted, suspended or no
   * longer has `session.passwordHash` (all checked in the insert's own statement).
   */
  createAuthSession(session: NewAuthSession): Promise<AuthSessionRecord | null>;
  getAuthSession(id: string): Promise<AuthSessionRecord | null>;
  /**
   * Atomically replaces the current refresh hash `presentedHash` by
   * `nextHash` (keeping the presented one as the previous), extending the
   * session to `expiresAt`. Two racing rotations of one token: one wins, the
   * other sees `reused`.
   */
  rotateRefreshToken(id: string, presentedHash: string, nextHash: string, at: number, expiresAt: number): Promise<RefreshRotation>;
  /** Revokes one session; false when it was unknown or already revoked. */
  revokeAuthSession(id: string, reason: SessionEndReason, at: number): Promise<boolean>;
  /** Revokes every active session of the user but `exceptId`; the ids revoked. */
  revokeUserAuthSessions(userId: string, reason: SessionEndReason, at: number, exceptId?: string): Promise<string[]>;
  /**
   * In one transaction: sets the user's password hash and revokes every other
   * active session (`password-changed`), keeping `keepSessionId`; the ids
   * revoked. StoreError `user-not-found` for an unknown or deleted user
   * (nothing changed).
   */
  changePasswordHash(userId: string, passwordHash: string, keepSessionId: string, at: number): Promise<string[]>;
}
