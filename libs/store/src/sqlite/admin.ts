import { StoreError, type AdminStore, type UserRecord } from '@parley/domain';
import { must } from '@parley/util';
import {
  INSERT_AUDIT_SQL,
  LIVE_USER_SQL,
  SET_USER_ADMIN_SQL,
  SUSPEND_USER_SQL,
  UNSUSPEND_USER_SQL,
  insertAuditParams,
  listAuditQuery,
  toAudit,
  type AuditRow,
} from '../rows/admin';
import { USER_COLUMNS, toUser, type UserRow } from '../rows/users';
import type { SqliteConnection } from './connection';
import { revokeUserSessions } from './sessions';

/**
 * Suspensions, the admin role and the audit log on SQLite. Each change is one
 * write transaction, so a suspension and a sign-in (one INSERT … SELECT that
 * checks suspended_at) serialize: the sign-in lands first and is revoked, or
 * finds the user suspended.
 */
export function sqliteAdminStore(conn: SqliteConnection): AdminStore {
  /** Inside the caller's transaction: runs `sql` (its params) on the live user and reads the row after. */
  const changeLiveUser = (userId: string, sql: string, params: unknown[]): UserRecord => {
    if (!conn.get(LIVE_USER_SQL, userId)) throw new StoreError('user-not-found');
    conn.stmt(sql).run(...params);
    return toUser(must(conn.get<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, userId), 'the user row just changed'));
  };

  return {
    suspendUser: (userId, at) =>
      conn.write(() => {
        const user = changeLiveUser(userId, SUSPEND_USER_SQL, [at, userId]);
        return { user, sessionIds: revokeUserSessions(conn, userId, 'suspended', at) };
      }),

    unsuspendUser: (userId) => conn.write(() => changeLiveUser(userId, UNSUSPEND_USER_SQL, [userId])),

    setUserAdmin: (userId, admin) => conn.write(() => changeLiveUser(userId, SET_USER_ADMIN_SQL, [admin ? 1 : 0, userId])),

    appendAudit: (entry) =>
      conn.run(() => {
        conn.stmt(INSERT_AUDIT_SQL).run(...insertAuditParams(entry));
      }),

    listAudit: (limit, before) =>
      conn.run(() => {
        const { sql, params } = listAuditQuery(limit, before);
        return conn.all<AuditRow>(sql, ...params).map(toAudit);
      }),
  };
}
