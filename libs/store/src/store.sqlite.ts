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
import Database from 'better-sqlite3';
import { isUniqueViolation, toStoreError } from './errors.sqlite';
import { assertOrdered } from './migrations/migration';
import { SQLITE_MIGRATIONS } from './migrations/sqlite';
import {
  FRIEND_REQUEST_COLUMNS,
  GROUP_COLUMNS_G,
  GROUP_JOIN_REQUEST_COLUMNS,
  GROUP_MEMBER_COLUMNS,
  MEMBER_CONVERSATION_ORDER,
  MEMBER_CONVERSATION_SELECT,
  DIRECT_CONTEXT_SELECT,
  GROUP_POST_CONTEXT_SELECT,
  type GroupPostContextRow,
  toGroupPostContext,
  MESSAGE_COLUMNS,
  MESSAGE_COLUMNS_M,
  USER_COLUMNS,
  peerRelationsParams,
  peerRelationsSelect,
  conversationGroupId,
  groupPatchSql,
  likeContains,
  pendingKey,
  toFriendRequest,
  toGroupJoinRequest,
  messageRangeSql,
  messageValues,
  profilePatchSql,
  toDirectContext,
  toGroup,
  toGroupMember,
  toMemberConversation,
  toMessage,
  toPeerRelation,
  toUser,
  uniqueIds,
  type FriendRequestRow,
  type GroupJoinRequestRow,
  type DirectContextRow,
  type GroupMemberRow,
  type GroupRow,
  type MemberConversationRow,
  type MessageRow,
  type PeerRelationRow,
  type UserRow,
} from './rows';

export interface SqliteStoreOptions {
  /**
   * Database file, or ':memory:' for a private in-memory database. Several
   * stores (e.g. IM nodes in one process) may open the same file; an
   * in-memory database can only be shared by sharing the instance.
   */
  filename: string;
  /** How long a writer waits for another connection's lock before UNAVAILABLE. @default 5_000 */
  busyTimeoutMs?: number;
}

const GROUP_SELECT = `SELECT ${GROUP_COLUMNS_G},
  (SELECT COUNT(*) FROM group_members gm WHERE gm.group_id = g.id) AS member_count
  FROM "groups" g`;

const IN_JSON = 'IN (SELECT value FROM json_each(?))';

const PEER_RELATIONS_SELECT = peerRelationsSelect((...parts) => parts.join(' || '), IN_JSON);

/**
 * The Store on SQLite (better-sqlite3) for the embedded mode. The driver is
 * synchronous, so each method's transaction runs to completion before any
 * other JavaScript: no interleaving within a process. Write transactions are
 * BEGIN IMMEDIATE so connections to the same file queue on busy_timeout
 * instead of failing on a lock upgrade.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(options: SqliteStoreOptions) {
    try {
      this.db = new Database(options.filename);
      if (options.filename !== ':memory:') this.db.pragma('journal_mode = WAL');
      this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5_000))}`);
      this.db.pragma('foreign_keys = ON');
      // WAL + NORMAL: durable across process crashes, may lose the last commits on power loss.
      this.db.pragma('synchronous = NORMAL');
    } catch (err) {
      throw toStoreError(err);
    }
  }

  migrate(): Promise<void> {
    return this.run(() => {
      assertOrdered(SQLITE_MIGRATIONS);
      this.db.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
      );
      for (const migration of SQLITE_MIGRATIONS) {
        // DDL is transactional here: check, apply and record under one write lock.
        this.db
          .transaction(() => {
            if (this.stmt('SELECT 1 FROM schema_migrations WHERE version = ?').get(migration.version)) return;
            for (const statement of migration.statements) this.db.exec(statement);
            this.stmt('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
              migration.version,
              migration.name,
              Date.now(),
            );
          })
          .immediate();
      }
    });
  }

  async close(): Promise<void> {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }

  ping(): Promise<void> {
    return this.run(() => {
      this.stmt('SELECT 1').get();
    });
  }

  // ---- users

  createUser(user: NewUser): Promise<UserRecord> {
    return this.run(() => {
      try {
        this.stmt(
          'INSERT INTO users (id, username, display_name, avatar_url, bio, password_hash, created_at) VALUES (?, ?, ?, NULL, NULL, ?, ?)',
        ).run(user.id, user.username, user.displayName, user.passwordHash, user.createdAt);
      } catch (err) {
        if (isUniqueViolation(err, 'users.username')) throw new ParleyError('USERNAME_TAKEN', 'username is taken');
        throw err;
      }
      return { ...user, avatarUrl: null, bio: null, dmPolicy: 'friends' };
    });
  }

  getUser(id: string): Promise<UserRecord | null> {
    return this.run(() => this.userById(id));
  }

  getUsers(ids: readonly string[]): Promise<UserRecord[]> {
    return this.run(() => {
      if (ids.length === 0) return [];
      const rows = this.stmt(`SELECT ${USER_COLUMNS} FROM users WHERE id ${IN_JSON}`).all(JSON.stringify(ids));
      return (rows as UserRow[]).map(toUser);
    });
  }

  findUserByUsername(username: string): Promise<UserRecord | null> {
    return this.run(() => {
      const row = this.stmt(`SELECT ${USER_COLUMNS} FROM users WHERE username = ?`).get(username) as UserRow | undefined;
      return row ? toUser(row) : null;
    });
  }

  searchUsers(query: string, limit: number, offset: number): Promise<UserRecord[]> {
    return this.run(() => {
      const pattern = likeContains(query);
      const rows = this.stmt(
        `SELECT ${USER_COLUMNS} FROM users
         WHERE username LIKE ? ESCAPE '!' OR display_name LIKE ? ESCAPE '!'
         ORDER BY username, id LIMIT ? OFFSET ?`,
      ).all(pattern, pattern, limit, offset);
      return (rows as UserRow[]).map(toUser);
    });
  }

  updateProfile(id: string, patch: ProfilePatch): Promise<UserRecord> {
    return this.run(() => {
      const { sets, params } = profilePatchSql(patch);
      if (sets) this.stmt(`UPDATE users SET ${sets} WHERE id = ?`).run(...params, id);
      const user = this.userById(id);
      if (!user) throw new ParleyError('NOT_FOUND', 'user not found');
      return user;
    });
  }

  // ---- groups

  createGroup(group: NewGroup): Promise<GroupRecord> {
    return this.run(() => {
      const memberIds = uniqueIds(group.memberIds).filter((id) => id !== group.ownerId);
      const allIds = [group.ownerId, ...memberIds];
      const conversationId = groupConversationId(group.id);
      this.db
        .transaction(() => {
          const found = this.stmt(`SELECT COUNT(*) AS n FROM users WHERE id ${IN_JSON}`).get(JSON.stringify(allIds)) as {
            n: number;
          };
          if (found.n !== allIds.length) throw new ParleyError('NOT_FOUND', 'unknown group member');
          this.stmt(
            'INSERT INTO "groups" (id, name, owner_id, announcement, mute_all, created_at) VALUES (?, ?, ?, NULL, 0, ?)',
          ).run(group.id, group.name, group.ownerId, group.createdAt);
          this.stmt(
            'INSERT INTO conversations (id, type, group_id, last_seq, last_message_at, created_at) VALUES (?, ?, ?, 0, NULL, ?)',
          ).run(conversationId, 'group', group.id, group.createdAt);
          const addGroupMember = this.stmt('INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)');
          const addConversationMember = this.stmt('INSERT INTO conversation_members (conversation_id, user_id) VALUES (?, ?)');
          for (const userId of allIds) {
            addGroupMember.run(group.id, userId, userId === group.ownerId ? 'owner' : 'member', group.createdAt);
            addConversationMember.run(conversationId, userId);
          }
        })
        .immediate();
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
    });
  }

  getGroup(id: string): Promise<GroupRecord | null> {
    return this.run(() => {
      const row = this.stmt(`${GROUP_SELECT} WHERE g.id = ?`).get(id) as GroupRow | undefined;
      return row ? toGroup(row) : null;
    });
  }

  getGroupPostContext(groupId: string, userId: string): Promise<GroupPostContext | null> {
    return this.run(() => {
      const row = this.stmt(GROUP_POST_CONTEXT_SELECT).get(userId, groupId) as GroupPostContextRow | undefined;
      return row ? toGroupPostContext(row) : null;
    });
  }

  getGroupMember(groupId: string, userId: string): Promise<GroupMemberRecord | null> {
    return this.run(() => {
      const row = this.stmt(`SELECT ${GROUP_MEMBER_COLUMNS} FROM group_members WHERE group_id = ? AND user_id = ?`).get(
        groupId,
        userId,
      ) as GroupMemberRow | undefined;
      return row ? toGroupMember(row) : null;
    });
  }

  listGroupMembers(groupId: string): Promise<GroupMemberRecord[]> {
    return this.run(() => {
      const rows = this.stmt(
        `SELECT ${GROUP_MEMBER_COLUMNS} FROM group_members WHERE group_id = ? ORDER BY joined_at, user_id`,
      ).all(groupId);
      return (rows as GroupMemberRow[]).map(toGroupMember);
    });
  }

  listUserGroupIds(userId: string): Promise<string[]> {
    return this.run(() => {
      const rows = this.stmt('SELECT group_id FROM group_members WHERE user_id = ? ORDER BY group_id').all(userId);
      return (rows as { group_id: string }[]).map((r) => r.group_id);
    });
  }

  listUserGroups(userId: string): Promise<GroupRecord[]> {
    return this.run(() => {
      const rows = this.stmt(
        `${GROUP_SELECT} JOIN group_members me ON me.group_id = g.id WHERE me.user_id = ? ORDER BY g.name, g.id`,
      ).all(userId);
      return (rows as GroupRow[]).map(toGroup);
    });
  }

  searchPublicGroups(query: string, limit: number, offset: number): Promise<GroupRecord[]> {
    return this.run(() => {
      // LIKE is case-insensitive for ASCII here; NOCASE orders as MySQL's _ci collation does (for ASCII).
      const rows = this.stmt(
        `${GROUP_SELECT} WHERE g.is_public = 1 AND g.name LIKE ? ESCAPE '!'
         ORDER BY g.name COLLATE NOCASE, g.id LIMIT ? OFFSET ?`,
      ).all(likeContains(query), limit, offset);
      return (rows as GroupRow[]).map(toGroup);
    });
  }

  updateGroup(groupId: string, patch: GroupPatch): Promise<GroupRecord> {
    return this.run(() => {
      const { sets, params } = groupPatchSql(patch);
      if (sets) this.stmt(`UPDATE "groups" SET ${sets} WHERE id = ?`).run(...params, groupId);
      const row = this.stmt(`${GROUP_SELECT} WHERE g.id = ?`).get(groupId) as GroupRow | undefined;
      if (!row) throw new ParleyError('NOT_FOUND', 'group not found');
      return toGroup(row);
    });
  }

  deleteGroup(groupId: string): Promise<boolean> {
    return this.run(() => this.stmt('DELETE FROM "groups" WHERE id = ?').run(groupId).changes > 0);
  }

  addGroupMembers(groupId: string, userIds: readonly string[], joinedAt: number, maxMembers: number): Promise<string[]> {
    return this.run(() =>
      this.db
        .transaction(() => {
          const conversationId = groupConversationId(groupId);
          const conversation = this.stmt('SELECT last_seq FROM conversations WHERE id = ?').get(conversationId) as
            | { last_seq: number }
            | undefined;
          if (!conversation) throw new ParleyError('NOT_FOUND', 'group not found');
          const existing = new Set(
            (this.stmt('SELECT user_id FROM group_members WHERE group_id = ?').all(groupId) as { user_id: string }[]).map(
              (r) => r.user_id,
            ),
          );
          const added = uniqueIds(userIds).filter((id) => !existing.has(id));
          if (added.length === 0) return [];
          if (existing.size + added.length > maxMembers) {
            throw new ParleyError('CONFLICT', `the group is full (at most ${maxMembers} members)`);
          }
          const found = this.stmt(`SELECT COUNT(*) AS n FROM users WHERE id ${IN_JSON}`).get(JSON.stringify(added)) as {
            n: number;
          };
          if (found.n !== added.length) throw new ParleyError('NOT_FOUND', 'user not found');
          const addMember = this.stmt(
            "INSERT INTO group_members (group_id, user_id, role, joined_at, muted_until) VALUES (?, ?, 'member', ?, NULL)",
          );
          const addConversationMember = this.stmt(
            `INSERT INTO conversation_members (conversation_id, user_id, delivered_seq, read_seq) VALUES (?, ?, ?, ?)
             ON CONFLICT DO UPDATE SET delivered_seq = excluded.delivered_seq, read_seq = excluded.read_seq`,
          );
          for (const userId of added) {
            addMember.run(groupId, userId, joinedAt);
            addConversationMember.run(conversationId, userId, conversation.last_seq, conversation.last_seq);
          }
          return added;
        })
        .immediate(),
    );
  }

  removeGroupMember(groupId: string, userId: string): Promise<boolean> {
    return this.run(() =>
      this.db
        .transaction(() => {
          const removed = this.stmt('DELETE FROM group_members WHERE group_id = ? AND user_id = ?').run(groupId, userId);
          this.stmt('DELETE FROM conversation_members WHERE conversation_id = ? AND user_id = ?').run(
            groupConversationId(groupId),
            userId,
          );
          return removed.changes > 0;
        })
        .immediate(),
    );
  }

  setGroupMemberRole(groupId: string, userId: string, role: Exclude<GroupRole, 'owner'>): Promise<void> {
    return this.run(() => {
      const result = this.stmt("UPDATE group_members SET role = ? WHERE group_id = ? AND user_id = ? AND role <> 'owner'").run(
        role,
        groupId,
        userId,
      );
      if (result.changes === 0) throw new ParleyError('NOT_FOUND', 'not a member (or the owner)');
    });
  }

  transferGroupOwnership(groupId: string, fromUserId: string, toUserId: string): Promise<void> {
    return this.run(() =>
      this.db
        .transaction(() => {
          const demoted = this.stmt(
            "UPDATE group_members SET role = 'admin' WHERE group_id = ? AND user_id = ? AND role = 'owner'",
          ).run(groupId, fromUserId);
          const promoted = this.stmt("UPDATE group_members SET role = 'owner', muted_until = NULL WHERE group_id = ? AND user_id = ?").run(
            groupId,
            toUserId,
          );
          if (demoted.changes === 0 || promoted.changes === 0) throw new ParleyError('NOT_FOUND', 'not a member');
          this.stmt('UPDATE "groups" SET owner_id = ? WHERE id = ?').run(toUserId, groupId);
        })
        .immediate(),
    );
  }

  setGroupMemberMute(groupId: string, userId: string, mutedUntil: number | null): Promise<void> {
    return this.run(() => {
      const result = this.stmt('UPDATE group_members SET muted_until = ? WHERE group_id = ? AND user_id = ?').run(
        mutedUntil,
        groupId,
        userId,
      );
      if (result.changes === 0) throw new ParleyError('NOT_FOUND', 'not a member');
    });
  }

  // ---- group join requests

  createGroupJoinRequest(request: NewGroupJoinRequest): Promise<{ request: GroupJoinRequestRecord; created: boolean }> {
    return this.run(() =>
      this.db
        .transaction(() => {
          const key = pendingKey(request.groupId, request.userId);
          const existing = this.stmt(`SELECT ${GROUP_JOIN_REQUEST_COLUMNS} FROM group_join_requests WHERE pending_key = ?`).get(
            key,
          ) as GroupJoinRequestRow | undefined;
          if (existing) return { request: toGroupJoinRequest(existing), created: false };
          this.stmt(
            `INSERT INTO group_join_requests (${GROUP_JOIN_REQUEST_COLUMNS}, pending_key) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`,
          ).run(request.id, request.groupId, request.userId, request.inviterId, request.createdAt, request.createdAt, key);
          return {
            request: { ...request, status: 'pending' as const, updatedAt: request.createdAt },
            created: true,
          };
        })
        .immediate(),
    );
  }

  getGroupJoinRequest(id: string): Promise<GroupJoinRequestRecord | null> {
    return this.run(() => {
      const row = this.stmt(`SELECT ${GROUP_JOIN_REQUEST_COLUMNS} FROM group_join_requests WHERE id = ?`).get(id) as
        | GroupJoinRequestRow
        | undefined;
      return row ? toGroupJoinRequest(row) : null;
    });
  }

  listGroupJoinRequests(groupId: string): Promise<GroupJoinRequestRecord[]> {
    return this.run(() => {
      const rows = this.stmt(
        `SELECT ${GROUP_JOIN_REQUEST_COLUMNS} FROM group_join_requests WHERE group_id = ? AND status = 'pending' ORDER BY created_at, id`,
      ).all(groupId);
      return (rows as GroupJoinRequestRow[]).map(toGroupJoinRequest);
    });
  }

  resolveGroupJoinRequest(id: string, status: Exclude<RequestStatus, 'pending'>, at: number): Promise<GroupJoinRequestRecord> {
    return this.run(() =>
      this.db
        .transaction(() => {
          const result = this.stmt(
            "UPDATE group_join_requests SET status = ?, pending_key = NULL, updated_at = ? WHERE id = ? AND status = 'pending'",
          ).run(status, at, id);
          const row = this.stmt(`SELECT ${GROUP_JOIN_REQUEST_COLUMNS} FROM group_join_requests WHERE id = ?`).get(id) as
            | GroupJoinRequestRow
            | undefined;
          if (!row) throw new ParleyError('NOT_FOUND', 'request not found');
          if (result.changes === 0) throw new ParleyError('CONFLICT', `the request is already ${row.status}`);
          return toGroupJoinRequest(row);
        })
        .immediate(),
    );
  }

  // ---- friends and blocks

  createFriendRequest(request: NewFriendRequest): Promise<FriendRequestRecord> {
    return this.run(() => {
      try {
        this.stmt(
          `INSERT INTO friend_requests (${FRIEND_REQUEST_COLUMNS}, pending_key) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`,
        ).run(
          request.id,
          request.fromUserId,
          request.toUserId,
          request.note,
          request.createdAt,
          request.createdAt,
          pendingKey(request.fromUserId, request.toUserId),
        );
      } catch (err) {
        if (isUniqueViolation(err, 'friend_requests.pending_key')) {
          throw new ParleyError('CONFLICT', 'a friend request is already pending');
        }
        throw err;
      }
      return { ...request, status: 'pending', updatedAt: request.createdAt };
    });
  }

  getFriendRequest(id: string): Promise<FriendRequestRecord | null> {
    return this.run(() => this.friendRequestWhere('id = ?', id));
  }

  findPendingFriendRequest(fromUserId: string, toUserId: string): Promise<FriendRequestRecord | null> {
    return this.run(() => this.friendRequestWhere('pending_key = ?', pendingKey(fromUserId, toUserId)));
  }

  listPendingFriendRequests(userId: string): Promise<FriendRequestRecord[]> {
    return this.run(() => {
      const rows = this.stmt(
        `SELECT ${FRIEND_REQUEST_COLUMNS} FROM friend_requests
         WHERE status = 'pending' AND (from_user_id = ? OR to_user_id = ?) ORDER BY created_at, id`,
      ).all(userId, userId);
      return (rows as FriendRequestRow[]).map(toFriendRequest);
    });
  }

  resolveFriendRequest(id: string, status: Exclude<RequestStatus, 'pending'>, at: number): Promise<FriendRequestRecord> {
    return this.run(() =>
      this.db
        .transaction(() => {
          const result = this.stmt(
            "UPDATE friend_requests SET status = ?, pending_key = NULL, updated_at = ? WHERE id = ? AND status = 'pending'",
          ).run(status, at, id);
          const request = this.friendRequestWhere('id = ?', id);
          if (!request) throw new ParleyError('NOT_FOUND', 'request not found');
          if (result.changes === 0) throw new ParleyError('CONFLICT', `the request is already ${request.status}`);
          if (status === 'accepted') {
            const befriend = this.stmt(
              'INSERT INTO friendships (user_id, friend_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
            );
            befriend.run(request.fromUserId, request.toUserId, at);
            befriend.run(request.toUserId, request.fromUserId, at);
          }
          return request;
        })
        .immediate(),
    );
  }

  listFriendIds(userId: string): Promise<string[]> {
    return this.run(() => {
      const rows = this.stmt('SELECT friend_id FROM friendships WHERE user_id = ? ORDER BY created_at, friend_id').all(userId);
      return (rows as { friend_id: string }[]).map((r) => r.friend_id);
    });
  }

  removeFriendship(userId: string, otherId: string): Promise<boolean> {
    return this.run(() => {
      const result = this.stmt(
        'DELETE FROM friendships WHERE (user_id = ? AND friend_id = ?) OR (user_id = ? AND friend_id = ?)',
      ).run(userId, otherId, otherId, userId);
      return result.changes > 0;
    });
  }

  getDirectContext(senderId: string, recipientId: string): Promise<DirectContext | null> {
    return this.run(() => {
      const row = this.stmt(DIRECT_CONTEXT_SELECT).get(senderId, senderId, senderId, recipientId) as DirectContextRow | undefined;
      return row ? toDirectContext(row) : null;
    });
  }

  getRelation(userId: string, otherId: string): Promise<UserRelation> {
    return this.run(() => {
      const row = this.stmt(
        `SELECT
           EXISTS (SELECT 1 FROM friendships WHERE user_id = ? AND friend_id = ?) AS friends,
           EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ? AND blocked_id = ?) AS blocking,
           EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ? AND blocked_id = ?) AS blocked_by`,
      ).get(userId, otherId, userId, otherId, otherId, userId) as { friends: number; blocking: number; blocked_by: number };
      return { friends: Boolean(row.friends), blocking: Boolean(row.blocking), blockedBy: Boolean(row.blocked_by) };
    });
  }

  addBlock(blockerId: string, blockedId: string, at: number): Promise<boolean> {
    return this.run(() => {
      const result = this.stmt(
        'INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      ).run(blockerId, blockedId, at);
      return result.changes > 0;
    });
  }

  removeBlock(blockerId: string, blockedId: string): Promise<boolean> {
    return this.run(
      () => this.stmt('DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?').run(blockerId, blockedId).changes > 0,
    );
  }

  listBlockedIds(blockerId: string): Promise<string[]> {
    return this.run(() => {
      const rows = this.stmt('SELECT blocked_id FROM blocks WHERE blocker_id = ? ORDER BY created_at, blocked_id').all(blockerId);
      return (rows as { blocked_id: string }[]).map((r) => r.blocked_id);
    });
  }

  listBlockersAmong(blockedId: string, userIds: readonly string[]): Promise<string[]> {
    return this.run(() => {
      if (userIds.length === 0) return [];
      const rows = this.stmt(`SELECT blocker_id FROM blocks WHERE blocked_id = ? AND blocker_id ${IN_JSON} ORDER BY blocker_id`).all(
        blockedId,
        JSON.stringify(userIds),
      );
      return (rows as { blocker_id: string }[]).map((r) => r.blocker_id);
    });
  }

  listPeerRelations(userId: string, otherIds: readonly string[]): Promise<PeerRelation[]> {
    return this.run(() => {
      if (otherIds.length === 0) return [];
      const rows = this.stmt(PEER_RELATIONS_SELECT).all(...peerRelationsParams(userId), JSON.stringify(otherIds));
      return (rows as PeerRelationRow[]).map(toPeerRelation);
    });
  }

  // ---- messages

  appendMessage(message: NewMessage): Promise<AppendResult> {
    return this.run(() => {
      try {
        return this.db.transaction(() => this.appendInTransaction(message)).immediate();
      } catch (err) {
        // Unreachable within one connection (the check runs under the write lock); kept for parity with MySQL.
        if (isUniqueViolation(err, 'messages.sender_id')) {
          const original = this.findByClientMsgId(message.senderId, message.clientMsgId);
          if (original) return { message: original, duplicate: true };
        }
        throw err;
      }
    });
  }

  getMessages(conversationId: string, range: MessageRange): Promise<Message[]> {
    return this.run(() => {
      const { where, params, descending } = messageRangeSql(range);
      const rows = this.stmt(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${where} ORDER BY seq ${descending ? 'DESC' : 'ASC'} LIMIT ?`,
      ).all(conversationId, ...params, range.limit) as MessageRow[];
      if (descending) rows.reverse();
      return rows.map(toMessage);
    });
  }

  getMessagesAfter(ranges: readonly { conversationId: string; afterSeq: number }[], limit: number): Promise<Message[][]> {
    return this.run(() => {
      // In-process: a prepared statement per conversation costs no round trip.
      const page = this.stmt(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?`);
      return ranges.map((r) => (page.all(r.conversationId, r.afterSeq, limit) as MessageRow[]).map(toMessage));
    });
  }

  getLastMessages(conversationIds: readonly string[]): Promise<Message[]> {
    return this.run(() => {
      if (conversationIds.length === 0) return [];
      const rows = this.stmt(
        `SELECT ${MESSAGE_COLUMNS_M} FROM conversations c
         JOIN messages m ON m.conversation_id = c.id AND m.seq = c.last_seq
         WHERE c.id ${IN_JSON}`,
      ).all(JSON.stringify(conversationIds));
      return (rows as MessageRow[]).map(toMessage);
    });
  }

  listMemberConversations(userId: string): Promise<MemberConversation[]> {
    return this.run(() => {
      const rows = this.stmt(`${MEMBER_CONVERSATION_SELECT} ${MEMBER_CONVERSATION_ORDER}`).all(userId, userId);
      return (rows as MemberConversationRow[]).map(toMemberConversation);
    });
  }

  getMemberConversation(userId: string, conversationId: string): Promise<MemberConversation | null> {
    return this.run(() => {
      const row = this.stmt(`${MEMBER_CONVERSATION_SELECT} AND cm.conversation_id = ?`).get(
        userId,
        userId,
        conversationId,
      ) as MemberConversationRow | undefined;
      return row ? toMemberConversation(row) : null;
    });
  }

  advanceCursor(userId: string, conversationId: string, kind: CursorKind, seq: number): Promise<void> {
    return this.run(() => {
      const lastSeq = '(SELECT c.last_seq FROM conversations c WHERE c.id = conversation_members.conversation_id)';
      // Read implies delivered: one statement moves both.
      const set =
        kind === 'read'
          ? `read_seq = MAX(read_seq, MIN(@seq, ${lastSeq})), delivered_seq = MAX(delivered_seq, MIN(@seq, ${lastSeq}))`
          : `delivered_seq = MAX(delivered_seq, MIN(@seq, ${lastSeq}))`;
      const result = this.stmt(
        `UPDATE conversation_members SET ${set} WHERE user_id = @userId AND conversation_id = @conversationId`,
      ).run({ seq, userId, conversationId });
      if (result.changes === 0) throw new ParleyError('NOT_FOUND', 'not a member of this conversation');
    });
  }

  // ---- internals

  private appendInTransaction(message: NewMessage): AppendResult {
    const existing = this.findByClientMsgId(message.senderId, message.clientMsgId);
    if (existing) return { message: existing, duplicate: true };
    const bumped = this.stmt(
      `UPDATE conversations SET last_seq = last_seq + 1, last_message_at = MAX(COALESCE(last_message_at, 0), ?)
       WHERE id = ? RETURNING last_seq`,
    ).get(message.createdAt, message.conversationId) as { last_seq: number } | undefined;
    let seq = bumped?.last_seq;
    if (seq === undefined) {
      this.stmt(
        'INSERT INTO conversations (id, type, group_id, last_seq, last_message_at, created_at) VALUES (?, ?, ?, 1, ?, ?)',
      ).run(message.conversationId, message.conversationType, conversationGroupId(message), message.createdAt, message.createdAt);
      const addMember = this.stmt(
        'INSERT INTO conversation_members (conversation_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING',
      );
      for (const userId of uniqueIds(message.memberIds)) addMember.run(message.conversationId, userId);
      seq = 1;
    }
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
    this.stmt(`INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(...messageValues(stored));
    // The sender has seen what they sent.
    this.stmt(
      `UPDATE conversation_members SET delivered_seq = MAX(delivered_seq, ?), read_seq = MAX(read_seq, ?)
       WHERE conversation_id = ? AND user_id = ?`,
    ).run(seq, seq, stored.conversationId, stored.senderId);
    return { message: stored, duplicate: false };
  }

  findMessageByClientMsgId(senderId: string, clientMsgId: string): Promise<Message | null> {
    return this.run(() => this.findByClientMsgId(senderId, clientMsgId));
  }

  private findByClientMsgId(senderId: string, clientMsgId: string): Message | null {
    const row = this.stmt(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE sender_id = ? AND client_msg_id = ?`).get(
      senderId,
      clientMsgId,
    ) as MessageRow | undefined;
    return row ? toMessage(row) : null;
  }

  private friendRequestWhere(where: string, value: string): FriendRequestRecord | null {
    const row = this.stmt(`SELECT ${FRIEND_REQUEST_COLUMNS} FROM friend_requests WHERE ${where}`).get(value) as
      | FriendRequestRow
      | undefined;
    return row ? toFriendRequest(row) : null;
  }

  private userById(id: string): UserRecord | null {
    const row = this.stmt(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`).get(id) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  /** Prepared statements are compiled once per SQL text. */
  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs synchronous work as the port's promise, mapping driver errors to ParleyError. */
  private run<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(toStoreError(err));
    }
  }
}
