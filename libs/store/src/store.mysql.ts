import type {
  AppendResult,
  CursorKind,
  GroupMemberRecord,
  GroupRecord,
  MemberConversation,
  MessageRange,
  NewGroup,
  NewMessage,
  NewUser,
  ProfilePatch,
  Store,
  UserRecord,
} from '@parley/domain';
import { ParleyError, groupConversationId, type Message } from '@parley/protocol';
import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { isDuplicateKey, toStoreError } from './errors.mysql';
import { assertOrdered } from './migrations/migration';
import { MYSQL_MIGRATIONS } from './migrations/mysql';
import { MysqlPool, type MysqlPoolOptions } from './mysql-pool';
import {
  GROUP_MEMBER_COLUMNS,
  MEMBER_CONVERSATION_ORDER,
  MEMBER_CONVERSATION_SELECT,
  MESSAGE_COLUMNS,
  MESSAGE_COLUMNS_M,
  USER_COLUMNS,
  conversationGroupId,
  likeContains,
  messageRangeSql,
  messageValues,
  profilePatchSql,
  toGroup,
  toGroupMember,
  toMemberConversation,
  toMessage,
  toUser,
  uniqueIds,
  type GroupMemberRow,
  type GroupRow,
  type MemberConversationRow,
  type MessageRow,
  type UserRow,
} from './rows';

export interface MysqlStoreOptions extends MysqlPoolOptions {
  /** How long migrate() waits for another node that is migrating. @default 60_000 */
  migrationLockTimeoutMs?: number;
}

const GROUP_SELECT = `SELECT g.id, g.name, g.owner_id, g.announcement, g.mute_all, g.created_at,
  (SELECT COUNT(*) FROM group_members gm WHERE gm.group_id = g.id) AS member_count
  FROM \`groups\` g`;

/** The Store on MySQL / MariaDB through a mysql2 connection pool. */
export class MysqlStore implements Store {
  private readonly pool: MysqlPool;
  private readonly migrationLockTimeoutMs: number;

  constructor(options: MysqlStoreOptions) {
    if (new URL(options.url).pathname.length <= 1) throw new Error('MysqlStore: the url must name a database');
    this.migrationLockTimeoutMs = options.migrationLockTimeoutMs ?? 60_000;
    this.pool = new MysqlPool(options);
  }

  async migrate(): Promise<void> {
    assertOrdered(MYSQL_MIGRATIONS);
    await this.withConnection(async (conn) => {
      // GET_LOCK is server-wide: scope it to this database so test databases don't serialize.
      const lockName = 'parley_migrate:';
      const [locked] = await conn.query<RowDataPacket[]>('SELECT GET_LOCK(CONCAT(?, DATABASE()), ?) AS ok', [
        lockName,
        Math.ceil(this.migrationLockTimeoutMs / 1000),
      ]);
      if (locked[0]?.ok !== 1) throw new ParleyError('UNAVAILABLE', 'timed out waiting for the migration lock');
      try {
        await conn.query(
          `CREATE TABLE IF NOT EXISTS schema_migrations (
            version INT NOT NULL PRIMARY KEY, name VARCHAR(128) NOT NULL, applied_at BIGINT NOT NULL
          ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
        );
        const [rows] = await conn.query<RowDataPacket[]>('SELECT version FROM schema_migrations');
        const applied = new Set(rows.map((r) => Number(r.version)));
        for (const migration of MYSQL_MIGRATIONS) {
          if (applied.has(migration.version)) continue;
          // MySQL DDL commits implicitly; statements are written to be re-runnable instead.
          for (const statement of migration.statements) await conn.query(statement);
          await conn.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
            migration.version,
            migration.name,
            Date.now(),
          ]);
        }
      } finally {
        // A dead connection has released the lock already; keep the original error.
        await conn.query('DO RELEASE_LOCK(CONCAT(?, DATABASE()))', [lockName]).catch(() => undefined);
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  async ping(): Promise<void> {
    await this.withConnection((conn) => conn.query('SELECT 1'));
  }

  // ---- users

  async createUser(user: NewUser): Promise<UserRecord> {
    try {
      await this.withConnection((conn) =>
        conn.query(
          'INSERT INTO users (id, username, display_name, avatar_url, bio, password_hash, created_at) VALUES (?, ?, ?, NULL, NULL, ?, ?)',
          [user.id, user.username, user.displayName, user.passwordHash, user.createdAt],
        ),
      );
    } catch (err) {
      if (isDuplicateKey(err, 'uq_users_username')) throw new ParleyError('USERNAME_TAKEN', 'username is taken');
      throw toStoreError(err);
    }
    return { ...user, avatarUrl: null, bio: null };
  }

  async getUser(id: string): Promise<UserRecord | null> {
    const rows = await this.select<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [id]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async getUsers(ids: readonly string[]): Promise<UserRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.select<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id IN (?)`, [ids]);
    return rows.map(toUser);
  }

  async findUserByUsername(username: string): Promise<UserRecord | null> {
    const rows = await this.select<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE username = ?`, [username]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async searchUsers(query: string, limit: number, offset: number): Promise<UserRecord[]> {
    const pattern = likeContains(query);
    const rows = await this.select<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users
       WHERE username LIKE ? ESCAPE '!' OR display_name LIKE ? ESCAPE '!'
       ORDER BY username, id LIMIT ? OFFSET ?`,
      [pattern, pattern, limit, offset],
    );
    return rows.map(toUser);
  }

  async updateProfile(id: string, patch: ProfilePatch): Promise<UserRecord> {
    const { sets, params } = profilePatchSql(patch);
    if (sets) await this.withConnection((conn) => conn.query(`UPDATE users SET ${sets} WHERE id = ?`, [...params, id]));
    const user = await this.getUser(id);
    if (!user) throw new ParleyError('NOT_FOUND', 'user not found');
    return user;
  }

  // ---- groups

  async createGroup(group: NewGroup): Promise<GroupRecord> {
    const memberIds = uniqueIds(group.memberIds).filter((id) => id !== group.ownerId);
    const allIds = [group.ownerId, ...memberIds];
    try {
      await this.transaction(async (conn) => {
        const [found] = await conn.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM users WHERE id IN (?)', [allIds]);
        if (Number(found[0]?.n) !== allIds.length) throw new ParleyError('NOT_FOUND', 'unknown group member');
        const conversationId = groupConversationId(group.id);
        await conn.query(
          'INSERT INTO `groups` (id, name, owner_id, announcement, mute_all, created_at) VALUES (?, ?, ?, NULL, 0, ?)',
          [group.id, group.name, group.ownerId, group.createdAt],
        );
        await conn.query('INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES ?', [
          allIds.map((userId) => [group.id, userId, userId === group.ownerId ? 'owner' : 'member', group.createdAt]),
        ]);
        await conn.query(
          'INSERT INTO conversations (id, type, group_id, last_seq, last_message_at, created_at) VALUES (?, ?, ?, 0, NULL, ?)',
          [conversationId, 'group', group.id, group.createdAt],
        );
        await conn.query('INSERT INTO conversation_members (conversation_id, user_id) VALUES ?', [
          allIds.map((userId) => [conversationId, userId]),
        ]);
      });
    } catch (err) {
      throw toStoreError(err);
    }
    return {
      id: group.id,
      name: group.name,
      ownerId: group.ownerId,
      announcement: null,
      muteAll: false,
      memberCount: allIds.length,
      createdAt: group.createdAt,
    };
  }

  async getGroup(id: string): Promise<GroupRecord | null> {
    const rows = await this.select<GroupRow>(`${GROUP_SELECT} WHERE g.id = ?`, [id]);
    return rows[0] ? toGroup(rows[0]) : null;
  }

  async getGroupMember(groupId: string, userId: string): Promise<GroupMemberRecord | null> {
    const rows = await this.select<GroupMemberRow>(
      `SELECT ${GROUP_MEMBER_COLUMNS} FROM group_members WHERE group_id = ? AND user_id = ?`,
      [groupId, userId],
    );
    return rows[0] ? toGroupMember(rows[0]) : null;
  }

  async listGroupMembers(groupId: string): Promise<GroupMemberRecord[]> {
    const rows = await this.select<GroupMemberRow>(
      `SELECT ${GROUP_MEMBER_COLUMNS} FROM group_members WHERE group_id = ? ORDER BY joined_at, user_id`,
      [groupId],
    );
    return rows.map(toGroupMember);
  }

  async listUserGroupIds(userId: string): Promise<string[]> {
    const rows = await this.select<{ group_id: string }>(
      'SELECT group_id FROM group_members WHERE user_id = ? ORDER BY group_id',
      [userId],
    );
    return rows.map((r) => r.group_id);
  }

  // ---- messages

  async appendMessage(message: NewMessage): Promise<AppendResult> {
    try {
      return await this.transaction(async (conn) => {
        const existing = await this.findByClientMsgId(conn, message.senderId, message.clientMsgId);
        if (existing) return { message: existing, duplicate: true };
        const seq = await this.nextSeq(conn, message);
        const stored: Message = {
          id: message.id,
          conversationId: message.conversationId,
          seq,
          senderId: message.senderId,
          kind: message.kind,
          body: message.body,
          clientMsgId: message.clientMsgId,
          createdAt: message.createdAt,
        };
        await conn.query(`INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES (?)`, [messageValues(stored)]);
        // The sender has seen what they sent.
        await conn.query(
          `UPDATE conversation_members SET delivered_seq = GREATEST(delivered_seq, ?), read_seq = GREATEST(read_seq, ?)
           WHERE conversation_id = ? AND user_id = ?`,
          [seq, seq, stored.conversationId, stored.senderId],
        );
        return { message: stored, duplicate: false };
      });
    } catch (err) {
      // A concurrent retry with the same clientMsgId committed first: answer with its message.
      if (isDuplicateKey(err, 'uq_messages_client')) {
        const original = await this.withConnection((conn) =>
          this.findByClientMsgId(conn, message.senderId, message.clientMsgId),
        );
        if (original) return { message: original, duplicate: true };
      }
      throw toStoreError(err);
    }
  }

  async getMessages(conversationId: string, range: MessageRange): Promise<Message[]> {
    const { where, params, descending } = messageRangeSql(range);
    const rows = await this.select<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${where} ORDER BY seq ${descending ? 'DESC' : 'ASC'} LIMIT ?`,
      [conversationId, ...params, range.limit],
    );
    if (descending) rows.reverse();
    return rows.map(toMessage);
  }

  async getLastMessages(conversationIds: readonly string[]): Promise<Message[]> {
    if (conversationIds.length === 0) return [];
    const rows = await this.select<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS_M} FROM conversations c JOIN messages m ON m.conversation_id = c.id AND m.seq = c.last_seq
       WHERE c.id IN (?)`,
      [conversationIds],
    );
    return rows.map(toMessage);
  }

  async listMemberConversations(userId: string): Promise<MemberConversation[]> {
    const rows = await this.select<MemberConversationRow>(
      `${MEMBER_CONVERSATION_SELECT} ${MEMBER_CONVERSATION_ORDER}`,
      [userId, userId],
    );
    return rows.map(toMemberConversation);
  }

  async getMemberConversation(userId: string, conversationId: string): Promise<MemberConversation | null> {
    const rows = await this.select<MemberConversationRow>(`${MEMBER_CONVERSATION_SELECT} AND cm.conversation_id = ?`, [
      userId,
      userId,
      conversationId,
    ]);
    return rows[0] ? toMemberConversation(rows[0]) : null;
  }

  async advanceCursor(userId: string, conversationId: string, kind: CursorKind, seq: number): Promise<void> {
    const column = kind === 'read' ? 'read_seq' : 'delivered_seq';
    const [result] = await this.withConnection((conn) =>
      conn.query<ResultSetHeader>(
        `UPDATE conversation_members cm JOIN conversations c ON c.id = cm.conversation_id
         SET cm.${column} = GREATEST(cm.${column}, LEAST(?, c.last_seq))
         WHERE cm.user_id = ? AND cm.conversation_id = ?`,
        [seq, userId, conversationId],
      ),
    );
    // FOUND_ROWS is on (mysql2 default): affectedRows counts matched rows, changed or not.
    if (result.affectedRows === 0) throw new ParleyError('NOT_FOUND', 'not a member of this conversation');
  }

  // ---- internals

  /** Bumps the conversation's seq under its row lock, creating the conversation first if new. */
  private async nextSeq(conn: PoolConnection, message: NewMessage): Promise<number> {
    const [updated] = await conn.query<ResultSetHeader>(
      'UPDATE conversations SET last_seq = last_seq + 1, last_message_at = GREATEST(COALESCE(last_message_at, 0), ?) WHERE id = ?',
      [message.createdAt, message.conversationId],
    );
    if (updated.affectedRows === 0) {
      // Upsert, not insert: a racing first message waits on our row lock, then bumps the seq itself.
      await conn.query(
        `INSERT INTO conversations (id, type, group_id, last_seq, last_message_at, created_at) VALUES (?, ?, ?, 1, ?, ?)
         ON DUPLICATE KEY UPDATE last_seq = last_seq + 1, last_message_at = GREATEST(COALESCE(last_message_at, 0), VALUES(last_message_at))`,
        [message.conversationId, message.conversationType, conversationGroupId(message), message.createdAt, message.createdAt],
      );
      const memberIds = uniqueIds(message.memberIds);
      if (memberIds.length > 0) {
        await conn.query(
          'INSERT INTO conversation_members (conversation_id, user_id) VALUES ? ON DUPLICATE KEY UPDATE user_id = user_id',
          [memberIds.map((userId) => [message.conversationId, userId])],
        );
      }
    }
    // Our own uncommitted update is visible to this read, and the row lock keeps others out.
    const [rows] = await conn.query<RowDataPacket[]>('SELECT last_seq FROM conversations WHERE id = ?', [
      message.conversationId,
    ]);
    return Number(rows[0]?.last_seq);
  }

  private async findByClientMsgId(conn: PoolConnection, senderId: string, clientMsgId: string): Promise<Message | null> {
    const [rows] = await conn.query<RowDataPacket[]>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE sender_id = ? AND client_msg_id = ?`,
      [senderId, clientMsgId],
    );
    return rows[0] ? toMessage(rows[0] as MessageRow & RowDataPacket) : null;
  }

  private async select<T>(sql: string, params: unknown[]): Promise<T[]> {
    const [rows] = await this.withConnection((conn) => conn.query<RowDataPacket[]>(sql, params));
    return rows as unknown as T[];
  }

  private withConnection<T>(fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
    return this.pool.withConnection(fn);
  }

  private transaction<T>(fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
    return this.pool.transaction(fn);
  }
}
