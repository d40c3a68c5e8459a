import { StoreError, type GroupRecord, type GroupStore } from '@parley/domain';
import { groupConversationId } from '@parley/protocol';
import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import {
  GROUP_MEMBER_COLUMNS,
  GROUP_POST_CONTEXT_BODY,
  groupPatchSql,
  groupSelect,
  newGroupRecord,
  toGroup,
  toGroupMember,
  toGroupPostContext,
  type GroupMemberRow,
  type GroupPostContextRow,
  type GroupRow,
} from '../rows/groups';
import { likeContains, uniqueIds } from '../rows/sql';
import { batchedListLookup, batchedLookup, SAME_TURN_ONLY } from './batched-lookup';
import type { MysqlConnection } from './connection';

const GROUP_SELECT = groupSelect('`groups`');

/** Groups and their members on MySQL. */
export function mysqlGroupStore(conn: MysqlConnection): GroupStore {
  /** The authorization read of every group post, batched like the appends. */
  const groupPostContexts = conn.drainOnClose(
    batchedLookup(
      conn.pool,
      {
        body: GROUP_POST_CONTEXT_BODY,
        params: (p: { groupId: string; userId: string }) => [p.userId, p.groupId],
        toResult: (row) => toGroupPostContext(row as GroupPostContextRow & RowDataPacket),
      },
      conn.lingerMs,
    ),
  );

  /** A user's groups, read on every handshake (its rooms): one statement per batch of concurrent handshakes. */
  const userGroupIds = conn.drainOnClose(
    batchedListLookup(
      conn.pool,
      { sql: 'SELECT user_id AS lookup_key, group_id FROM group_members WHERE user_id IN (?) ORDER BY user_id, group_id', toResult: (row) => String(row.group_id) },
      SAME_TURN_ONLY,
    ),
  );

  const getGroup = async (id: string): Promise<GroupRecord | null> => {
    const rows = await conn.select<GroupRow>(`${GROUP_SELECT} WHERE g.id = ?`, [id]);
    return rows[0] ? toGroup(rows[0]) : null;
  };

  return {
    async createGroup(group) {
      const memberIds = uniqueIds(group.memberIds).filter((id) => id !== group.ownerId);
      const allIds = [group.ownerId, ...memberIds];
      await conn.transaction(async (c) => {
        const [found] = await c.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM users WHERE id IN (?)', [allIds]);
        if (Number(found[0]?.n) !== allIds.length) throw new StoreError('unknown-group-member');
        const conversationId = groupConversationId(group.id);
        await c.query('INSERT INTO `groups` (id, name, owner_id, announcement, mute_all, created_at) VALUES (?, ?, ?, NULL, 0, ?)', [
          group.id,
          group.name,
          group.ownerId,
          group.createdAt,
        ]);
        await c.query('INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES ?', [
          allIds.map((userId) => [group.id, userId, userId === group.ownerId ? 'owner' : 'member', group.createdAt]),
        ]);
        await c.query(
          'INSERT INTO conversations (id, type, group_id, last_seq, last_message_at, created_at) VALUES (?, ?, ?, 0, NULL, ?)',
          [conversationId, 'group', group.id, group.createdAt],
        );
        await c.query('INSERT INTO conversation_members (conversation_id, user_id) VALUES ?', [
          allIds.map((userId) => [conversationId, userId]),
        ]);
      });
      return newGroupRecord(group, allIds.length);
    },

    getGroup,

    getGroupPostContext: (groupId, userId) => groupPostContexts.submit({ groupId, userId }),

    async getGroupMember(groupId, userId) {
      const rows = await conn.select<GroupMemberRow>(
        `SELECT ${GROUP_MEMBER_COLUMNS} FROM group_members WHERE group_id = ? AND user_id = ?`,
        [groupId, userId],
      );
      return rows[0] ? toGroupMember(rows[0]) : null;
    },

    async listGroupMembers(groupId) {
      const rows = await conn.select<GroupMemberRow>(
        `SELECT ${GROUP_MEMBER_COLUMNS} FROM group_members WHERE group_id = ? ORDER BY joined_at, user_id`,
        [groupId],
      );
      return rows.map(toGroupMember);
    },

    listUserGroupIds: (userId) => userGroupIds.submit(userId),

    async listUserGroups(userId) {
      const rows = await conn.select<GroupRow>(
        `${GROUP_SELECT} JOIN group_members me ON me.group_id = g.id WHERE me.user_id = ? ORDER BY g.name, g.id`,
        [userId],
      );
      return rows.map(toGroup);
    },

    async searchPublicGroups(query, limit, offset) {
      const rows = await conn.select<GroupRow>(
        `${GROUP_SELECT} WHERE g.is_public = 1 AND g.name LIKE ? ESCAPE '!' ORDER BY g.name, g.id LIMIT ? OFFSET ?`,
        [likeContains(query), limit, offset],
      );
      return rows.map(toGroup);
    },

    async updateGroup(groupId, patch) {
      const { sets, params } = groupPatchSql(patch);
      if (sets) await conn.execute(`UPDATE \`groups\` SET ${sets} WHERE id = ?`, [...params, groupId]);
      const group = await getGroup(groupId);
      if (!group) throw new StoreError('group-not-found');
      return group;
    },

    async deleteGroup(groupId) {
      const result = await conn.execute('DELETE FROM `groups` WHERE id = ?', [groupId]);
      return result.affectedRows > 0;
    },

    addGroupMembers: (groupId, userIds, joinedAt, maxMembers) =>
      conn.transaction((c) => addGroupMembersIn(c, groupId, userIds, joinedAt, maxMembers)),

    removeGroupMember: (groupId, userId) =>
      conn.transaction(async (c) => {
        const [removed] = await c.query<ResultSetHeader>('DELETE FROM group_members WHERE group_id = ? AND user_id = ?', [groupId, userId]);
        await c.query('DELETE FROM conversation_members WHERE conversation_id = ? AND user_id = ?', [groupConversationId(groupId), userId]);
        return removed.affectedRows > 0;
      }),

    async setGroupMemberRole(groupId, userId, role) {
      const result = await conn.execute("UPDATE group_members SET role = ? WHERE group_id = ? AND user_id = ? AND role <> 'owner'", [
        role,
        groupId,
        userId,
      ]);
      if (result.affectedRows === 0) throw new StoreError('not-a-member-or-owner');
    },

    transferGroupOwnership: (groupId, fromUserId, toUserId) =>
      conn.transaction(async (c) => {
        const [demoted] = await c.query<ResultSetHeader>(
          "UPDATE group_members SET role = 'admin' WHERE group_id = ? AND user_id = ? AND role = 'owner'",
          [groupId, fromUserId],
        );
        const [promoted] = await c.query<ResultSetHeader>(
          "UPDATE group_members SET role = 'owner', muted_until = NULL WHERE group_id = ? AND user_id = ?",
          [groupId, toUserId],
        );
        if (demoted.affectedRows === 0 || promoted.affectedRows === 0) throw new StoreError('not-a-member');
        await c.query('UPDATE `groups` SET owner_id = ? WHERE id = ?', [toUserId, groupId]);
      }),

    async setGroupMemberMute(groupId, userId, mutedUntil) {
      const result = await conn.execute('UPDATE group_members SET muted_until = ? WHERE group_id = ? AND user_id = ?', [
        mutedUntil,
        groupId,
        userId,
      ]);
      if (result.affectedRows === 0) throw new StoreError('not-a-member');
    },
  };
}

/**
 * addGroupMembers' work, inside a transaction already open (accepting an
 * invitation adds its invitee in the same transaction).
 */
export async function addGroupMembersIn(
  c: PoolConnection,
  groupId: string,
  userIds: readonly string[],
  joinedAt: number,
  maxMembers: number,
): Promise<string[]> {
  const conversationId = groupConversationId(groupId);
  // The conversation row lock serializes concurrent adds, so the member limit holds.
  const [conversations] = await c.query<RowDataPacket[]>('SELECT last_seq FROM conversations WHERE id = ? FOR UPDATE', [conversationId]);
  if (!conversations[0]) throw new StoreError('group-not-found');
  const lastSeq = Number(conversations[0].last_seq);
  const [members] = await c.query<RowDataPacket[]>('SELECT user_id FROM group_members WHERE group_id = ?', [groupId]);
  const existing = new Set(members.map((r) => String(r.user_id)));
  const added = uniqueIds(userIds).filter((id) => !existing.has(id));
  if (added.length === 0) return [];
  if (existing.size + added.length > maxMembers) throw new StoreError('group-full', { maxMembers });
  const [found] = await c.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM users WHERE id IN (?)', [added]);
  if (Number(found[0]?.n) !== added.length) throw new StoreError('user-not-found');
  await c.query('INSERT INTO group_members (group_id, user_id, role, joined_at, muted_until) VALUES ?', [
    added.map((userId) => [groupId, userId, 'member', joinedAt, null]),
  ]);
  await c.query(
    `INSERT INTO conversation_members (conversation_id, user_id, delivered_seq, read_seq) VALUES ?
     ON DUPLICATE KEY UPDATE delivered_seq = VALUES(delivered_seq), read_seq = VALUES(read_seq)`,
    [added.map((userId) => [conversationId, userId, lastSeq, lastSeq])],
  );
  return added;
}
