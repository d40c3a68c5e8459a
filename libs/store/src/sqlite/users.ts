import { StoreError, type UserRecord, type UserStore } from '@parley/domain';
import { usernameKey } from '@parley/protocol';
import { likeContains } from '../rows/sql';
import { INSERT_USER_SQL, USER_COLUMNS, newUserRecord, profilePatchSql, toUser, type UserRow } from '../rows/users';
import { sqliteDeleteUser } from './account-removal';
import { IN_JSON, type SqliteConnection } from './connection';
import { isUniqueViolation } from './errors';

/** Users on SQLite. */
export function sqliteUserStore(conn: SqliteConnection): UserStore {
  const userById = (id: string): UserRecord | null => {
    const row = conn.get<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, id);
    return row ? toUser(row) : null;
  };

  return {
    createUser: (user) =>
      conn.run(() => {
        try {
          conn
            .stmt(INSERT_USER_SQL)
            .run(user.id, user.username, usernameKey(user.username), user.displayName, user.passwordHash, user.createdAt);
        } catch (err) {
          // users.username_key, or users.username (NOCASE).
          if (isUniqueViolation(err, 'users.username')) throw new StoreError('username-taken');
          throw err;
        }
        return newUserRecord(user);
      }),

    getUser: (id) => conn.run(() => userById(id)),

    getUsers: (ids) =>
      conn.run(() => {
        if (ids.length === 0) return [];
        return conn.all<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id ${IN_JSON}`, JSON.stringify(ids)).map(toUser);
      }),

    findUserByUsername: (username) =>
      conn.run(() => {
        const row = conn.get<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE username_key = ? AND deleted_at IS NULL`, usernameKey(username));
        return row ? toUser(row) : null;
      }),

    searchUsers: (query, limit, offset) =>
      conn.run(() => {
        const pattern = likeContains(query);
        return conn
          .all<UserRow>(
            `SELECT ${USER_COLUMNS} FROM users
             WHERE (username_key LIKE ? ESCAPE '!' OR display_name LIKE ? ESCAPE '!') AND deleted_at IS NULL
             ORDER BY username, id LIMIT ? OFFSET ?`,
            likeContains(usernameKey(query)),
            pattern,
            limit,
            offset,
          )
          .map(toUser);
      }),

    updateProfile: (id, patch) =>
      conn.run(() => {
        const { sets, params } = profilePatchSql(patch);
        if (sets) conn.stmt(`UPDATE users SET ${sets} WHERE id = ?`).run(...params, id);
        const user = userById(id);
        if (!user) throw new StoreError('user-not-found');
        return user;
      }),

    deleteUser: (id, at) => sqliteDeleteUser(conn, id, at),
  };
}
