import { StoreError, type AuthSessionStore } from '@parley/domain';
import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
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
import { batchedListLookup, SAME_TURN_ONLY } from './batched-lookup';
import type { MysqlConnection } from './connection';
import { toStoreError } from './errors';

/**
 * Sign-in sessions on MySQL. A rotation is one conditional UPDATE: InnoDB
 * makes a racing second UPDATE of the row wait for the first and re-check its
 * WHERE against the committed row, so it matches nothing and reads `reused`.
 * A session insert share-locks the user row it reads, so it waits for a
 * password change (which updates that row first) and then sees the new hash;
 * an insert that went first is committed before the change's revocation
 * reads the sessions, and is revoked with them.
 */
export function mysqlAuthSessionStore(conn: MysqlConnection): AuthSessionStore {
  /** Read on every handshake and authenticated request: in a reconnect storm, one statement per batch of them. */
  const authSessions = conn.drainOnClose(
    batchedListLookup(
      conn.pool,
      { sql: `SELECT id AS lookup_key, ${AUTH_SESSION_COLUMNS} FROM sessions WHERE id IN (?)`, toResult: (row) => toAuthSession(row as AuthSessionRow & RowDataPacket) },
      SAME_TURN_ONLY,
    ),
  );

  return {
    async createAuthSession(session) {
      let inserted: ResultSetHeader;
      try {
        inserted = await conn.execute(`${INSERT_AUTH_SESSION_SQL} LOCK IN SHARE MODE`, insertAuthSessionParams(session));
      } catch (err) {
        throw toStoreError(err);
      }
      return inserted.affectedRows === 0 ? null : newAuthSessionRecord(session);
    },

    getAuthSession: async (id) => (await authSessions.submit(id))[0] ?? null,

    async rotateRefreshToken(id, presentedHash, nextHash, at, expiresAt) {
      const swapped = await conn.execute(ROTATE_REFRESH_SQL, rotationParams(id, presentedHash, nextHash, at, expiresAt));
      if (swapped.affectedRows === 1) return 'rotated';
      const rows = await conn.select<RotationStateRow>(ROTATION_STATE_SQL, [presentedHash, id]);
      return failedRotation(rows[0], at);
    },

    revokeAuthSession: (id, reason, at) =>
      conn.transaction(async (c) => {
        const [revoked] = await c.query<ResultSetHeader>(REVOKE_AUTH_SESSION_SQL, [at, reason, id]);
        await c.query(DELETE_SESSION_PUSH_SUBSCRIPTIONS_SQL, [id]);
        return revoked.affectedRows > 0;
      }),

    revokeUserAuthSessions: (userId, reason, at, exceptId) =>
      conn.transaction((c) => revokeUserSessions(c, userId, reason, at, exceptId)),

    changePasswordHash: (userId, passwordHash, keepSessionId, at) =>
      conn.transaction(async (c) => {
        const [updated] = await c.query<ResultSetHeader>(UPDATE_PASSWORD_HASH_SQL, [passwordHash, userId]);
        if (updated.affectedRows === 0) throw new StoreError('user-not-found');
        return revokeUserSessions(c, userId, 'password-changed', at, keepSessionId);
      }),
  };
}

/** Revokes a user's active sessions inside the caller's transaction; the ids revoked. */
export async function revokeUserSessions(
  c: PoolConnection,
  userId: string,
  reason: string,
  at: number,
  exceptId?: string,
): Promise<string[]> {
  const [rows] = await c.query<RowDataPacket[]>(`${ACTIVE_USER_SESSIONS_SQL} FOR UPDATE`, [userId, at, exceptId ?? '']);
  const ids = rows.map((r) => String(r.id));
  if (ids.length > 0) {
    await c.query<ResultSetHeader>('UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE id IN (?) AND revoked_at IS NULL', [at, reason, ids]);
    await c.query('DELETE FROM push_subscriptions WHERE session_id IN (?)', [ids]);
  }
  return ids;
}
