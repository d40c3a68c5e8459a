import { StoreError, type UserRecord, type UserStore } from '@parley/domain';
import { usernameKey } from '@parley/protocol';
import { likeContains } from '../rows/sql';
import { INSERT_USER_SQL, USER_COLUMNS, newUserRecord, profilePatchSql, toUser, type UserRow } from '../rows/users';
import { mysqlDeleteUser } from './account-removal';
import type { RowDataPacket } from 'mysql2/promise';
import { batchedListLookup, SAME_TURN_ONLY } from './batched-lookup';
import type { MysqlConnection } from './connection';
import { isDuplicateKey, toStoreError } from './errors';

/** username_key is VARBINARY: bound as bytes, so comparisons are binary whatever the connection collation. */
const keyBytes = (username: string): Buffer => Buffer.from(usernameKey(username), 'utf8');

/** Users on MySQL. */
export function mysqlUserStore(conn: MysqlConnection): UserStore {
  /** Read on every handshake and authenticated request (the user still exists): one statement per batch of them. */
  const users = conn.drainOnClose(
    batchedListLookup(
      conn.pool,
      { sql: `SELECT id AS lookup_key, ${USER_COLUMNS} FROM users WHERE id IN (?)`, toResult: (row) => toUser(row as UserRow & RowDataPacket) },
      SAME_TURN_ONLY,
    ),
  );
  const getUser = async (id: string): Promise<UserRecord | null> => (await users.submit(id))[0] ?? null;

  return {
    async createUser(user) {
      try {
        await conn.execute(INSERT_USER_SQL, [user.id, user.username, keyBytes(user.username), user.displayName, user.passwordHash, user.createdAt]);
      } catch (err) {
        // uq_users_username_key, or the older uq_users_username (its collation also refuses accent and width variants).
        if (isDuplicateKey(err, 'uq_users_username_key') || isDuplicateKey(err, 'uq_users_username')) throw new StoreError('username-taken');
        throw toStoreError(err);
      }
      return newUserRecord(user);
    },

    getUser,

    async getUsers(ids) {
      if (ids.length === 0) return [];
      const rows = await conn.select<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id IN (?)`, [ids]);
      return rows.map(toUser);
    },

    async findUserByUsername(username) {
      const rows = await conn.select<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE username_key = ? AND deleted_at IS NULL`, [keyBytes(username)]);
      return rows[0] ? toUser(rows[0]) : null;
    },

    async searchUsers(query, limit, offset) {
      const keyPattern = Buffer.from(likeContains(usernameKey(query)), 'utf8');
      const pattern = likeContains(query);
      const rows = await conn.select<UserRow>(
        `SELECT ${USER_COLUMNS} FROM users
         WHERE (username_key LIKE ? ESCAPE '!' OR display_name LIKE ? ESCAPE '!') AND deleted_at IS NULL
         ORDER BY username, id LIMIT ? OFFSET ?`,
        [keyPattern, pattern, limit, offset],
      );
      return rows.map(toUser);
    },

    async updateProfile(id, patch) {
      const { sets, params } = profilePatchSql(patch);
      if (sets) await conn.execute(`UPDATE users SET ${sets} WHERE id = ?`, [...params, id]);
      const user = await getUser(id);
      if (!user) throw new StoreError('user-not-found');
      return user;
    },

    deleteUser: (id, at) => mysqlDeleteUser(conn, id, at),
  };
}
