import { StoreError, type AdminStore, type UserRecord } from '@parley/domain';
import { must } from '@parley/util';
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
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
import type { MysqlConnection } from './connection';
import { revokeUserSessions } from './sessions';

/**
 * Suspensions, the admin role and the audit log on MySQL. A suspension locks
 * the user row first: a sign-in's INSERT … SELECT share-locks that row (see
 * sessions.ts), so it either committed before (and its session is among
 * those the suspension's locking read finds and revokes) or waits and then
 * reads the user suspended and inserts nothing.
 */
export function mysqlAdminStore(conn: MysqlConnection): AdminStore {
  /** Inside a transaction: locks the live user, runs `sql` (its params) on it and reads the row after. */
  const changeLiveUser = async (c: PoolConnection, userId: string, sql: string, params: unknown[]): Promise<UserRecord> => {
    const [found] = await c.query<RowDataPacket[]>(`${LIVE_USER_SQL} FOR UPDATE`, [userId]);
    if (!found[0]) throw new StoreError('user-not-found');
    await c.query(sql, params);
    const [rows] = await c.query<(UserRow & RowDataPacket)[]>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [userId]);
    return toUser(must(rows[0], 'the user row just changed'));
  };

  return {
    suspendUser: (userId, at) =>
      conn.transaction(async (c) => {
        const user = await changeLiveUser(c, userId, SUSPEND_USER_SQL, [at, userId]);
        return { user, sessionIds: await revokeUserSessions(c, userId, 'suspended', at) };
      }),

    unsuspendUser: (userId) => conn.transaction((c) => changeLiveUser(c, userId, UNSUSPEND_USER_SQL, [userId])),

    setUserAdmin: (userId, admin) => conn.transaction((c) => changeLiveUser(c, userId, SET_USER_ADMIN_SQL, [admin ? 1 : 0, userId])),

    async appendAudit(entry) {
      await conn.execute(INSERT_AUDIT_SQL, insertAuditParams(entry));
    },

    async listAudit(limit, before) {
      const { sql, params } = listAuditQuery(limit, before);
      const rows = await conn.select<AuditRow>(sql, params);
      return rows.map(toAudit);
    },
  };
}
