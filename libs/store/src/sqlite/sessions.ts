import { StoreError, type AuthSessionStore } from '@parley/domain';
import {
  ACTIVE_USER_SESSIONS_SQL,
  AUTH_SESSION_COLUMNS,
  INSERT_AUTH_SESSION_SQL,
  DELETE_SESSION_PUSH_SUBSCRIPTIONS_SQL,
  REVOKE_AUTH_SESSION_SQL,
  ROTATE_REFRESH_SQL,
  ROTATION_STATE_SQL,
  UPDATE_PASSWORD_HASH_SQL,
  failedRotation,
  insertAuthSessionParams,
  newAuthSessionRecord,
  rotationParams,
  toAuthSession,
  type AuthSessionRow,
  type RotationStateRow,
} from '../rows/sessions';
import type { SqliteConnection } from './connection';

/** Sign-in sessions on SQLite; each change is one write transaction, so rotations of one token serialize. */
export function sqliteAuthSessionStore(conn: SqliteConnection): AuthSessionStore {
  return {
    createAuthSession: (session) =>
      conn.run(() => {
        const inserted = conn.stmt(INSERT_AUTH_SESSION_SQL).run(...insertAuthSessionParams(session));
        return inserted.changes === 0 ? null : newAuthSessionRecord(session);
      }),

    getAuthSession: (id) =>
      conn.run(() => {
        const row = conn.get<AuthSessionRow>(`SELECT ${AUTH_SESSION_COLUMNS} FROM sessions WHERE id = ?`, id);
        return row ? toAuthSession(row) : null;
      }),

    rotateRefreshToken: (id, presentedHash, nextHash, at, expiresAt) =>
      conn.write(() => {
        const swapped = conn.stmt(ROTATE_REFRESH_SQL).run(...rotationParams(id, presentedHash, nextHash, at, expiresAt));
        if (swapped.changes === 1) return 'rotated' as const;
        return failedRotation(conn.get<RotationStateRow>(ROTATION_STATE_SQL, presentedHash, id), at);
      }),

    revokeAuthSession: (id, reason, at) =>
      conn.write(() => {
        conn.stmt(DELETE_SESSION_PUSH_SUBSCRIPTIONS_SQL).run(id);
        return conn.stmt(REVOKE_AUTH_SESSION_SQL).run(at, reason, id).changes > 0;
      }),

    revokeUserAuthSessions: (userId, reason, at, exceptId) => conn.write(() => revokeUserSessions(conn, userId, reason, at, exceptId)),

    changePasswordHash: (userId, passwordHash, keepSessionId, at) =>
      conn.write(() => {
        if (conn.stmt(UPDATE_PASSWORD_HASH_SQL).run(passwordHash, userId).changes === 0) throw new StoreError('user-not-found');
        return revokeUserSessions(conn, userId, 'password-changed', at, keepSessionId);
      }),
  };
}

/** Revokes a user's active sessions inside the caller's transaction; the ids revoked. */
export function revokeUserSessions(
  conn: SqliteConnection,
  userId: string,
  reason: string,
  at: number,
  exceptId?: string,
): string[] {
  const ids = conn.all<{ id: string }>(ACTIVE_USER_SESSIONS_SQL, userId, at, exceptId ?? '').map((r) => r.id);
  const revoke = conn.stmt(REVOKE_AUTH_SESSION_SQL);
  const unsubscribe = conn.stmt(DELETE_SESSION_PUSH_SUBSCRIPTIONS_SQL);
  for (const id of ids) {
    revoke.run(at, reason, id);
    unsubscribe.run(id);
  }
  return ids;
}
