import type {
  AppendResult,
  DirectContext,
  CursorKind,
  FriendRequestRecord,
  GroupJoinRequestRecord,
  GroupMemberRecord,
  GroupPostContext,
  GroupPatch,
  GroupRecord,
  MemberConversation,
  MessageRange,
  NewFriendRequest,
  NewGroup,
  NewGroupJoinRequest,
  NewMessage,
  NewUser,
  PeerRelation,
  ProfilePatch,
  Store,
  UserRecord,
  UserRelation,
} from '@parley/domain';
import { ParleyError, groupConversationId, type GroupRole, type Message, type RequestStatus } from '@parley/protocol';
import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { isDuplicateKey, toStoreError } from './errors.mysql';
import { BatchQueue } from './batch-queue';
import { batchedLookup } from './batched-lookup.mysql';
import { appendMessages } from './message-append.mysql';
import { assertOrdered } from './migrations/migration';
import { MYSQL_MIGRATIONS } from './migrations/mysql';
import { MysqlPool, type MysqlPoolOptions } from './mysql-pool';
import {
  FRIEND_REQUEST_COLUMNS,
  GROUP_COLUMNS_G,
  GROUP_JOIN_REQUEST_COLUMNS,
  GROUP_MEMBER_COLUMNS,
  MEMBER_CONVERSATION_ORDER,
  MEMBER_CONVERSATION_SELECT,
  MESSAGE_COLUMNS,
  MESSAGE_COLUMNS_M,
  USER_COLUMNS,
  peerRelationsParams,
  peerRelationsSelect,
  groupPatchSql,
  likeContains,
  pendingKey,
  toFriendRequest,
  toGroupJoinRequest,
  messageRangeSql,
  profilePatchSql,
  toGroup,
  toGroupMember,
  messagesAfterSelect,
  pagesByRange,
  toGroupPostContext,
  toDirectContext,
  DIRECT_CONTEXT_BODY,
  GROUP_POST_CONTEXT_BODY,
  type DirectContextRow,
  type GroupPostContextRow,
  toMemberConversation,
  toMessage,
  toPeerRelation,
  toUser,
  uniqueIds,
  type FriendRequestRow,
  type GroupJoinRequestRow,
  type GroupMemberRow,
  type GroupRow,
  type MemberConversationRow,
  type MessageRow,
  type PeerRelationRow,
  type UserRow,
} from './rows';

export interface MysqlStoreOptions extends MysqlPoolOptions {
  /** How long migrate() waits for another node that is migrating. @default 60_000 */
  migrationLockTimeoutMs?: number;
  /**
   * Group commit of appendMessage: most messages stored by one transaction
   * (one multi-row INSERT, one seq bump per conversation). @default 200
   */
  maxBatchSize?: number;
  /**
   * Group commit of appendMessage: transactions of message batches in flight
   * at once. A message waits in the queue only while this many run, so
   * batches form under load by themselves. Each takes a pool connection
   * while it runs. One keeps MariaDB's work per message lowest (fewest,
   * largest batches); see bench/RESULTS.md. @default 1
   */
  maxConcurrentBatches?: number;
  /**
   * How long a message that finds the store idle waits for others to share
   * its transaction (and a direct send's authorization read to share its
   * query). Costs that much latency at low load, saves statements at high
   * load. @default 2
   */
  batchLingerMs?: number;
}

const GROUP_SELECT = `SELECT ${GROUP_COLUMNS_G},
  (SELECT COUNT(*) FROM group_members gm WHERE gm.group_id = g.id) AS member_count
  FROM \`groups\` g`;

// MySQL's `||` is OR unless PIPES_AS_CONCAT; mysql2 expands an array bound to IN (?).
const PEER_RELATIONS_SELECT = peerRelationsSelect((...parts) => `CONCAT(${parts.join(', ')})`, 'IN (?)');

/** The Store on MySQL / MariaDB through a mysql2 connection pool. */
export class MysqlStore implements Store {
  private readonly pool: MysqlPool;
  /** The group commit's own connections: the only ones allowed multi-statement queries. */
  private readonly appendPool: MysqlPool;
  private readonly migrationLockTimeoutMs: number;
  private readonly appends: BatchQueue<NewMessage, AppendResult>;
  /** The authorization reads of every send, batched like the appends. */
  private readonly directContexts: BatchQueue<{ senderId: string; recipientId: string }, DirectContext | null>;
  private readonly groupPostContexts: BatchQueue<{ groupId: string; userId: string }, GroupPostContext | null>;

  constructor(options: MysqlStoreOptions) {
    if (new URL(options.url).pathname.length <= 1) throw new Error('MysqlStore: the url must name a database');
    this.migrationLockTimeoutMs = options.migrationLockTimeoutMs ?? 60_000;
    this.pool = new MysqlPool(options);
    const maxConcurrentBatches = options.maxConcurrentBatches ?? 1;
    // One connection more than batches: a duplicate's lookup may run beside them.
    this.appendPool = new MysqlPool({ ...options, connectionLimit: maxConcurrentBatches + 1, multipleStatements: true });
    const lingerMs = options.batchLingerMs ?? 2;
    this.appends = new BatchQueue({
      maxBatchSize: options.maxBatchSize ?? 200,
      maxConcurrentBatches,
      lingerMs,
      run: (messages) => appendMessages(this.appendPool, messages),
      closedError: () => new ParleyError('UNAVAILABLE', 'store closed'),
    });
    this.directContexts = batchedLookup(
      this.pool,
      {
        body: DIRECT_CONTEXT_BODY,
        params: (p) => [p.senderId, p.senderId, p.senderId, p.recipientId],
        toResult: (row) => toDirectContext(row as DirectContextRow & RowDataPacket),
      },
      lingerMs,
    );
    this.groupPostContexts = batchedLookup(
      this.pool,
      {
        body: GROUP_POST_CONTEXT_BODY,
        params: (p) => [p.userId, p.groupId],
        toResult: (row) => toGroupPostContext(row as GroupPostContextRow & RowDataPacket),
      },
      lingerMs,
    );
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
    // Queued messages are committed (or fail) before the pool goes.
    await Promise.all([this.appends.close(), this.directContexts.close(), this.groupPostContexts.close()]);
    await Promise.all([this.pool.close(), this.appendPool.close()]);
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
    return { ...user, avatarUrl: null, bio: null, dmPolicy: 'friends' };
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
      isPublic: false,
      joinApproval: false,
      memberCount: allIds.length,
      createdAt: group.createdAt,
    };
  }

  async getGroup(id: string): Promise<GroupRecord | null> {
    const rows = await this.select<GroupRow>(`${GROUP_SELECT} WHERE g.id = ?`, [id]);
    return rows[0] ? toGroup(rows[0]) : null;
  }

  getGroupPostContext(groupId: string, userId: string): Promise<GroupPostContext | null> {
    return this.groupPostContexts.submit({ groupId, userId });
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

  async listUserGroups(userId: string): Promise<GroupRecord[]> {
    const rows = await this.select<GroupRow>(
      `${GROUP_SELECT} JOIN group_members me ON me.group_id = g.id WHERE me.user_id = ? ORDER BY g.name, g.id`,
      [userId],
    );
    return rows.map(toGroup);
  }

  async searchPublicGroups(query: string, limit: number, offset: number): Promise<GroupRecord[]> {
    const rows = await this.select<GroupRow>(
      `${GROUP_SELECT} WHERE g.is_public = 1 AND g.name LIKE ? ESCAPE '!' ORDER BY g.name, g.id LIMIT ? OFFSET ?`,
      [likeContains(query), limit, offset],
    );
    return rows.map(toGroup);
  }

  async updateGroup(groupId: string, patch: GroupPatch): Promise<GroupRecord> {
    const { sets, params } = groupPatchSql(patch);
    if (sets) await this.withConnection((conn) => conn.query(`UPDATE \`groups\` SET ${sets} WHERE id = ?`, [...params, groupId]));
    const group = await this.getGroup(groupId);
    if (!group) throw new ParleyError('NOT_FOUND', 'group not found');
    return group;
  }

  async deleteGroup(groupId: string): Promise<boolean> {
    const [result] = await this.withConnection((conn) =>
      conn.query<ResultSetHeader>('DELETE FROM `groups` WHERE id = ?', [groupId]),
    );
    return result.affectedRows > 0;
  }

  async addGroupMembers(groupId: string, userIds: readonly string[], joinedAt: number, maxMembers: number): Promise<string[]> {
    try {
      return await this.transaction(async (conn) => {
        const conversationId = groupConversationId(groupId);
        // The conversation row lock serializes concurrent adds, so the member limit holds.
        const [conversations] = await conn.query<RowDataPacket[]>('SELECT last_seq FROM conversations WHERE id = ? FOR UPDATE', [
          conversationId,
        ]);
        if (!conversations[0]) throw new ParleyError('NOT_FOUND', 'group not found');
        const lastSeq = Number(conversations[0].last_seq);
        const [members] = await conn.query<RowDataPacket[]>('SELECT user_id FROM group_members WHERE group_id = ?', [groupId]);
        const existing = new Set(members.map((r) => String(r.user_id)));
        const added = uniqueIds(userIds).filter((id) => !existing.has(id));
        if (added.length === 0) return [];
        if (existing.size + added.length > maxMembers) {
          throw new ParleyError('CONFLICT', `the group is full (at most ${maxMembers} members)`);
        }
        const [found] = await conn.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM users WHERE id IN (?)', [added]);
        if (Number(found[0]?.n) !== added.length) throw new ParleyError('NOT_FOUND', 'user not found');
        await conn.query('INSERT INTO group_members (group_id, user_id, role, joined_at, muted_until) VALUES ?', [
          added.map((userId) => [groupId, userId, 'member', joinedAt, null]),
        ]);
        await conn.query(
          `INSERT INTO conversation_members (conversation_id, user_id, delivered_seq, read_seq) VALUES ?
           ON DUPLICATE KEY UPDATE delivered_seq = VALUES(delivered_seq), read_seq = VALUES(read_seq)`,
          [added.map((userId) => [conversationId, userId, lastSeq, lastSeq])],
        );
        return added;
      });
    } catch (err) {
      throw toStoreError(err);
    }
  }

  async removeGroupMember(groupId: string, userId: string): Promise<boolean> {
    try {
      return await this.transaction(async (conn) => {
        const [removed] = await conn.query<ResultSetHeader>('DELETE FROM group_members WHERE group_id = ? AND user_id = ?', [
          groupId,
          userId,
        ]);
        await conn.query('DELETE FROM conversation_members WHERE conversation_id = ? AND user_id = ?', [
          groupConversationId(groupId),
          userId,
        ]);
        return removed.affectedRows > 0;
      });
    } catch (err) {
      throw toStoreError(err);
    }
  }

  async setGroupMemberRole(groupId: string, userId: string, role: Exclude<GroupRole, 'owner'>): Promise<void> {
    const [result] = await this.withConnection((conn) =>
      conn.query<ResultSetHeader>("UPDATE group_members SET role = ? WHERE group_id = ? AND user_id = ? AND role <> 'owner'", [
        role,
        groupId,
        userId,
      ]),
    );
    if (result.affectedRows === 0) throw new ParleyError('NOT_FOUND', 'not a member (or the owner)');
  }

  async transferGroupOwnership(groupId: string, fromUserId: string, toUserId: string): Promise<void> {
    try {
      await this.transaction(async (conn) => {
        const [demoted] = await conn.query<ResultSetHeader>(
          "UPDATE group_members SET role = 'admin' WHERE group_id = ? AND user_id = ? AND role = 'owner'",
          [groupId, fromUserId],
        );
        const [promoted] = await conn.query<ResultSetHeader>(
          "UPDATE group_members SET role = 'owner', muted_until = NULL WHERE group_id = ? AND user_id = ?",
          [groupId, toUserId],
        );
        if (demoted.affectedRows === 0 || promoted.affectedRows === 0) throw new ParleyError('NOT_FOUND', 'not a member');
        await conn.query('UPDATE `groups` SET owner_id = ? WHERE id = ?', [toUserId, groupId]);
      });
    } catch (err) {
      throw toStoreError(err);
    }
  }

  async setGroupMemberMute(groupId: string, userId: string, mutedUntil: number | null): Promise<void> {
    const [result] = await this.withConnection((conn) =>
      conn.query<ResultSetHeader>('UPDATE group_members SET muted_until = ? WHERE group_id = ? AND user_id = ?', [
        mutedUntil,
        groupId,
        userId,
      ]),
    );
    if (result.affectedRows === 0) throw new ParleyError('NOT_FOUND', 'not a member');
  }

  // ---- group join requests

  async createGroupJoinRequest(request: NewGroupJoinRequest): Promise<{ request: GroupJoinRequestRecord; created: boolean }> {
    const key = pendingKey(request.groupId, request.userId);
    try {
      await this.withConnection((conn) =>
        conn.query(
          `INSERT INTO group_join_requests (${GROUP_JOIN_REQUEST_COLUMNS}, pending_key) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`,
          [request.id, request.groupId, request.userId, request.inviterId, request.createdAt, request.createdAt, key],
        ),
      );
      return { request: { ...request, status: 'pending', updatedAt: request.createdAt }, created: true };
    } catch (err) {
      if (!isDuplicateKey(err, 'uq_group_join_requests_pending')) throw toStoreError(err);
      const rows = await this.select<GroupJoinRequestRow>(
        `SELECT ${GROUP_JOIN_REQUEST_COLUMNS} FROM group_join_requests WHERE pending_key = ?`,
        [key],
      );
      // Answered between our insert and this read: the caller may simply try again.
      if (!rows[0]) throw new ParleyError('CONFLICT', 'the request changed meanwhile; retry');
      return { request: toGroupJoinRequest(rows[0]), created: false };
    }
  }

  async getGroupJoinRequest(id: string): Promise<GroupJoinRequestRecord | null> {
    const rows = await this.select<GroupJoinRequestRow>(
      `SELECT ${GROUP_JOIN_REQUEST_COLUMNS} FROM group_join_requests WHERE id = ?`,
      [id],
    );
    return rows[0] ? toGroupJoinRequest(rows[0]) : null;
  }

  async listGroupJoinRequests(groupId: string): Promise<GroupJoinRequestRecord[]> {
    const rows = await this.select<GroupJoinRequestRow>(
      `SELECT ${GROUP_JOIN_REQUEST_COLUMNS} FROM group_join_requests WHERE group_id = ? AND status = 'pending' ORDER BY created_at, id`,
      [groupId],
    );
    return rows.map(toGroupJoinRequest);
  }

  async resolveGroupJoinRequest(
    id: string,
    status: Exclude<RequestStatus, 'pending'>,
    at: number,
  ): Promise<GroupJoinRequestRecord> {
    const [result] = await this.withConnection((conn) =>
      conn.query<ResultSetHeader>(
        "UPDATE group_join_requests SET status = ?, pending_key = NULL, updated_at = ? WHERE id = ? AND status = 'pending'",
        [status, at, id],
      ),
    );
    const request = await this.getGroupJoinRequest(id);
    if (!request) throw new ParleyError('NOT_FOUND', 'request not found');
    if (result.affectedRows === 0) throw new ParleyError('CONFLICT', `the request is already ${request.status}`);
    return request;
  }

  // ---- friends and blocks

  async createFriendRequest(request: NewFriendRequest): Promise<FriendRequestRecord> {
    try {
      await this.withConnection((conn) =>
        conn.query(
          `INSERT INTO friend_requests (${FRIEND_REQUEST_COLUMNS}, pending_key) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`,
          [
            request.id,
            request.fromUserId,
            request.toUserId,
            request.note,
            request.createdAt,
            request.createdAt,
            pendingKey(request.fromUserId, request.toUserId),
          ],
        ),
      );
    } catch (err) {
      if (isDuplicateKey(err, 'uq_friend_requests_pending')) throw new ParleyError('CONFLICT', 'a friend request is already pending');
      throw toStoreError(err);
    }
    return { ...request, status: 'pending', updatedAt: request.createdAt };
  }

  async getFriendRequest(id: string): Promise<FriendRequestRecord | null> {
    const rows = await this.select<FriendRequestRow>(`SELECT ${FRIEND_REQUEST_COLUMNS} FROM friend_requests WHERE id = ?`, [id]);
    return rows[0] ? toFriendRequest(rows[0]) : null;
  }

  async findPendingFriendRequest(fromUserId: string, toUserId: string): Promise<FriendRequestRecord | null> {
    const rows = await this.select<FriendRequestRow>(
      `SELECT ${FRIEND_REQUEST_COLUMNS} FROM friend_requests WHERE pending_key = ?`,
      [pendingKey(fromUserId, toUserId)],
    );
    return rows[0] ? toFriendRequest(rows[0]) : null;
  }

  async listPendingFriendRequests(userId: string): Promise<FriendRequestRecord[]> {
    const rows = await this.select<FriendRequestRow>(
      `SELECT ${FRIEND_REQUEST_COLUMNS} FROM friend_requests
       WHERE status = 'pending' AND (from_user_id = ? OR to_user_id = ?) ORDER BY created_at, id`,
      [userId, userId],
    );
    return rows.map(toFriendRequest);
  }

  async resolveFriendRequest(id: string, status: Exclude<RequestStatus, 'pending'>, at: number): Promise<FriendRequestRecord> {
    try {
      return await this.transaction(async (conn) => {
        const [result] = await conn.query<ResultSetHeader>(
          "UPDATE friend_requests SET status = ?, pending_key = NULL, updated_at = ? WHERE id = ? AND status = 'pending'",
          [status, at, id],
        );
        const [rows] = await conn.query<RowDataPacket[]>(`SELECT ${FRIEND_REQUEST_COLUMNS} FROM friend_requests WHERE id = ?`, [id]);
        const row = rows[0] as (FriendRequestRow & RowDataPacket) | undefined;
        if (!row) throw new ParleyError('NOT_FOUND', 'request not found');
        const request = toFriendRequest(row);
        if (result.affectedRows === 0) throw new ParleyError('CONFLICT', `the request is already ${request.status}`);
        if (status === 'accepted') {
          await conn.query('INSERT IGNORE INTO friendships (user_id, friend_id, created_at) VALUES ?', [
            [
              [request.fromUserId, request.toUserId, at],
              [request.toUserId, request.fromUserId, at],
            ],
          ]);
        }
        return request;
      });
    } catch (err) {
      throw toStoreError(err);
    }
  }

  async listFriendIds(userId: string): Promise<string[]> {
    const rows = await this.select<{ friend_id: string }>(
      'SELECT friend_id FROM friendships WHERE user_id = ? ORDER BY created_at, friend_id',
      [userId],
    );
    return rows.map((r) => r.friend_id);
  }

  async removeFriendship(userId: string, otherId: string): Promise<boolean> {
    const [result] = await this.withConnection((conn) =>
      conn.query<ResultSetHeader>(
        'DELETE FROM friendships WHERE (user_id = ? AND friend_id = ?) OR (user_id = ? AND friend_id = ?)',
        [userId, otherId, otherId, userId],
      ),
    );
    return result.affectedRows > 0;
  }

  async getDirectContext(senderId: string, recipientId: string): Promise<DirectContext | null> {
    return this.directContexts.submit({ senderId, recipientId });
  }

  async getRelation(userId: string, otherId: string): Promise<UserRelation> {
    const rows = await this.select<{ friends: number; blocking: number; blocked_by: number }>(
      `SELECT
         EXISTS (SELECT 1 FROM friendships WHERE user_id = ? AND friend_id = ?) AS friends,
         EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ? AND blocked_id = ?) AS blocking,
         EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ? AND blocked_id = ?) AS blocked_by`,
      [userId, otherId, userId, otherId, otherId, userId],
    );
    const row = rows[0];
    return { friends: Boolean(Number(row?.friends)), blocking: Boolean(Number(row?.blocking)), blockedBy: Boolean(Number(row?.blocked_by)) };
  }

  async addBlock(blockerId: string, blockedId: string, at: number): Promise<boolean> {
    // Not INSERT IGNORE: that would also swallow the foreign-key error of an unknown user.
    try {
      await this.withConnection((conn) =>
        conn.query('INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?)', [blockerId, blockedId, at]),
      );
      return true;
    } catch (err) {
      if (isDuplicateKey(err, 'PRIMARY')) return false;
      throw err;
    }
  }

  async removeBlock(blockerId: string, blockedId: string): Promise<boolean> {
    const [result] = await this.withConnection((conn) =>
      conn.query<ResultSetHeader>('DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?', [blockerId, blockedId]),
    );
    return result.affectedRows > 0;
  }

  async listBlockedIds(blockerId: string): Promise<string[]> {
    const rows = await this.select<{ blocked_id: string }>(
      'SELECT blocked_id FROM blocks WHERE blocker_id = ? ORDER BY created_at, blocked_id',
      [blockerId],
    );
    return rows.map((r) => r.blocked_id);
  }

  async listBlockersAmong(blockedId: string, userIds: readonly string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows = await this.select<{ blocker_id: string }>(
      'SELECT blocker_id FROM blocks WHERE blocked_id = ? AND blocker_id IN (?) ORDER BY blocker_id',
      [blockedId, userIds],
    );
    return rows.map((r) => r.blocker_id);
  }

  async listPeerRelations(userId: string, otherIds: readonly string[]): Promise<PeerRelation[]> {
    if (otherIds.length === 0) return [];
    const rows = await this.select<PeerRelationRow>(PEER_RELATIONS_SELECT, [...peerRelationsParams(userId), otherIds]);
    return rows.map(toPeerRelation);
  }

  // ---- messages

  appendMessage(message: NewMessage): Promise<AppendResult> {
    return this.appends.submit(message);
  }

  async findMessageByClientMsgId(senderId: string, clientMsgId: string): Promise<Message | null> {
    const rows = await this.select<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE sender_id = ? AND client_msg_id = ?`,
      [senderId, clientMsgId],
    );
    return rows[0] ? toMessage(rows[0]) : null;
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

  async getMessagesAfter(ranges: readonly { conversationId: string; afterSeq: number }[], limit: number): Promise<Message[][]> {
    if (ranges.length === 0) return [];
    const rows = await this.select<MessageRow & { range_index: number }>(
      messagesAfterSelect(ranges.length),
      ranges.flatMap((r) => [r.conversationId, r.afterSeq, limit]),
    );
    return pagesByRange(ranges.length, rows);
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
    // Read implies delivered: one statement moves both.
    const set =
      kind === 'read'
        ? 'cm.read_seq = GREATEST(cm.read_seq, LEAST(?, c.last_seq)), cm.delivered_seq = GREATEST(cm.delivered_seq, LEAST(?, c.last_seq))'
        : 'cm.delivered_seq = GREATEST(cm.delivered_seq, LEAST(?, c.last_seq))';
    const params = kind === 'read' ? [seq, seq, userId, conversationId] : [seq, userId, conversationId];
    const [result] = await this.withConnection((conn) =>
      conn.query<ResultSetHeader>(
        `UPDATE conversation_members cm JOIN conversations c ON c.id = cm.conversation_id SET ${set}
         WHERE cm.user_id = ? AND cm.conversation_id = ?`,
        params,
      ),
    );
    // FOUND_ROWS is on (mysql2 default): affectedRows counts matched rows, changed or not.
    if (result.affectedRows === 0) throw new ParleyError('NOT_FOUND', 'not a member of this conversation');
  }

  // ---- internals

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
