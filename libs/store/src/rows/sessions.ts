import type { AuthSessionRecord, NewAuthSession, RefreshRotation } from '@parley/domain';
import type { SessionEndReason } from '@parley/protocol';

/** A sessions row as both engines select it (the refresh hashes are never read back). */
export interface AuthSessionRow {
  id: string;
  user_id: string;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  revoked_at: number | null;
  revoke_reason: string | null;
  user_agent: string | null;
}

export const AUTH_SESSION_COLUMNS = 'id, user_id, created_at, last_used_at, expires_at, revoked_at, revoke_reason, user_agent';

export function toAuthSession(row: AuthSessionRow): AuthSessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: Number(row.created_at),
    lastUsedAt: Number(row.last_used_at),
    expiresAt: Number(row.expires_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    revokeReason: row.revoke_reason as SessionEndReason | null,
    userAgent: row.user_agent,
  };
}

export function newAuthSessionRecord(session: NewAuthSession): AuthSessionRecord {
  const { refreshHash: _hash, passwordHash: _password, ...rest } = session;
  return { ...rest, lastUsedAt: session.createdAt, revokedAt: null, revokeReason: null };
}

/** The session row's user agent is a hint for people, cut to the column's width. */
export function userAgentColumn(userAgent: string | null): string | null {
  return userAgent === null ? null : userAgent.slice(0, 255);
}

/**
 * Inserts only while the user exists, is neither deleted nor suspended and
 * still has the password hash the sign-in verified (0 rows otherwise): the
 * read of the user row and the insert are one statement, so a sign-in racing
 * the account's deletion, suspension or a password change either lands
 * before it (and is revoked by it) or finds the user gone, suspended or the
 * credential changed.
 */
export const INSERT_AUTH_SESSION_SQL = `INSERT INTO sessions
  (id, user_id, refresh_hash, prev_refresh_hash, rotated_at, created_at, last_used_at, expires_at, revoked_at, revoke_reason, user_agent)
  SELECT ?, id, ?, NULL, NULL, ?, ?, ?, NULL, NULL, ? FROM users
  WHERE id = ? AND deleted_at IS NULL AND suspended_at IS NULL AND password_hash = ?`;

export function insertAuthSessionParams(session: NewAuthSession): unknown[] {
  const { id, userId, refreshHash, createdAt, expiresAt, userAgent, passwordHash } = session;
  return [id, refreshHash, createdAt, createdAt, expiresAt, userAgentColumn(userAgent), userId, passwordHash];
}

/** The hash part of a password change (the revocation of the other sessions goes with it). */
export const UPDATE_PASSWORD_HASH_SQL = 'UPDATE users SET password_hash = ? WHERE id = ? AND deleted_at IS NULL';

/**
 * The conditional swap of a rotation: it matches only while the presented
 * hash is the current one of a live session, so of two racing rotations of
 * one token exactly one changes the row. Params: rotationParams().
 */
export const ROTATE_REFRESH_SQL = `UPDATE sessions
  SET prev_refresh_hash = refresh_hash, refresh_hash = ?, rotated_at = ?, last_used_at = ?, expires_at = ?
  WHERE id = ? AND refresh_hash = ? AND revoked_at IS NULL AND expires_at > ?`;

export function rotationParams(id: string, presentedHash: string, nextHash: string, at: number, expiresAt: number): unknown[] {
  return [nextHash, at, at, expiresAt, id, presentedHash, at];
}

/** What a rotation that changed nothing means, from the row as it is now. */
export const ROTATION_STATE_SQL =
  'SELECT revoked_at, expires_at, (prev_refresh_hash IS NOT NULL AND prev_refresh_hash = ?) AS was_previous FROM sessions WHERE id = ?';

export interface RotationStateRow {
  revoked_at: number | null;
  expires_at: number;
  was_previous: number | string | null;
}

export function failedRotation(row: RotationStateRow | undefined, at: number): Exclude<RefreshRotation, 'rotated'> {
  if (!row) return 'unknown';
  if (row.revoked_at !== null || Number(row.expires_at) <= at) return 'inactive';
  return Number(row.was_previous) === 1 ? 'reused' : 'unknown';
}

export const REVOKE_AUTH_SESSION_SQL = 'UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL';

/** A revoked session's push subscriptions go with it (reads skip them anyway; this keeps no dead rows). */
export const DELETE_SESSION_PUSH_SUBSCRIPTIONS_SQL = 'DELETE FROM push_subscriptions WHERE session_id = ?';

/** Active sessions of a user, to revoke: `exceptId` (or '' for none) stays. */
export const ACTIVE_USER_SESSIONS_SQL = 'SELECT id FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? AND id <> ? ORDER BY id';
