import { StoreError, type GroupRecord, type GroupStore } from '@parley/domain';
import { groupConversationId } from '@parley/protocol';
import {
  GROUP_MEMBER_COLUMNS,
  GROUP_POST_CONTEXT_SELECT,
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
import { IN_JSON, type SqliteConnection } from './connection';

const GROUP_SELECT = groupSelect('"groups"');

/** Groups and their members on SQLite. */
export function sqliteGroupStore(conn: SqliteConnection): GroupStore {
  const groupById = (id: string): GroupRecord | null => {
    const row = conn.get<GroupRow>(`${GROUP_SELECT} WHERE g.id = ?`, id);
    return row ? toGroup(row) : null;
  };

  return {
    createGroup: (group) =>
      conn.write(() => {
        const memberIds = uniqueIds(group.memberIds).filter((id) => id !== group.ownerId);
        const allIds = [group.ownerId, ...memberIds];
        const conversationId = groupConversationId(group.id);
        if (countUsers(conn, allIds) !== allIds.length) throw new StoreError('unknown-group-member');
        conn
          .stmt('INSERT INTO "groups" (id, name, owner_id, announcement, mute_all, created_at) VALUES (?, ?, ?, NULL, 0, ?)')
          .run(group.id, group.name, group.ownerId, group.createdAt);
        conn
          .stmt('INSERT INTO conversations (id, type, group_id, last_seq, last_message_at, created_at) VALUES (?, ?, ?, 0, NULL, ?)')
          .run(conversationId, 'group', group.id, group.createdAt);
        const addGroupMember = conn.stmt('INSERT INTO group_members (group_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)');
        const addConversationMember = conn.stmt('INSERT INTO conversation_members (conversation_id, user_id) VALUES (?, ?)');
        for (const userId of allIds) {
          addGroupMember.run(group.id, userId, userId === group.ownerId ? 'owner' : 'member', group.createdAt);
          addConversationMember.run(conversationId, userId);
        }
        return newGroupRecord(group, allIds.length);
      }),

    getGroup: (id) => conn.run(() => groupById(id)),

    getGroupPostContext: (groupId, userId) =>
      conn.run(() => {
        const row = conn.get<GroupPostContextRow>(GROUP_POST_CONTEXT_SELECT, userId, groupId);
        return row ? toGroupPostContext(row) : null;
      }),

    getGroupMember: (groupId, userId) =>
      conn.run(() => {
        const row = conn.get<GroupMemberRow>(`SELECT ${GROUP_MEMBER_COLUMNS} FROM group_members WHERE group_id = ? AND user_id = ?`, groupId, userId);
        return row ? toGroupMember(row) : null;
      }),

    listGroupMembers: (groupId) =>
      conn.run(() =>
        conn
          .all<GroupMemberRow>(`SELECT ${GROUP_MEMBER_COLUMNS} FROM group_members WHERE group_id = ? ORDER BY joined_at, user_id`, groupId)
          .map(toGroupMember),
      ),

    listUserGroupIds: (userId) =>
      conn.run(() =>
        conn.all<{ group_id: string }>('SELECT group_id FROM group_members WHERE user_id = ? ORDER BY group_id', userId).map((r) => r.group_id),
      ),

    listUserGroups: (userId) =>
      conn.run(() =>
        conn
          .all<GroupRow>(`${GROUP_SELECT} JOIN group_members me ON me.group_id = g.id WHERE me.user_id = ? ORDER BY g.name, g.id`, userId)
          .map(toGroup),
      ),

    searchPublicGroups: (query, limit, offset) =>
      conn.run(() =>
        // LIKE is case-insensitive for ASCII here; NOCASE orders as MySQL's _ci collation does (for ASCII).
        conn
          .all<GroupRow>(
            `${GROUP_SELECT} WHERE g.is_public = 1 AND g.name LIKE ? ESCAPE '!'
             ORDER BY g.name COLLATE NOCASE, g.id LIMIT ? OFFSET ?`,
            likeContains(query),
            limit,
            offset,
          )
          .map(toGroup),
      ),

    updateGroup: (groupId, patch) =>
      conn.run(() => {
        const { sets, params } = groupPatchSql(patch);
        if (sets) conn.stmt(`UPDATE "groups" SET ${sets} WHERE id = ?`).run(...params, groupId);
        const group = groupById(groupId);
        if (!group) throw new StoreError('group-not-found');
        return group;
      }),

    deleteGroup: (groupId) => conn.run(() => conn.stmt('DELETE FROM "groups" WHERE id = ?').run(groupId).changes > 0),

    addGroupMembers: (groupId, userIds, joinedAt, maxMembers) =>
      conn.write(() => addGroupMembersIn(conn, groupId, userIds, joinedAt, maxMembers)),

    removeGroupMember: (groupId, userId) =>
      conn.write(() => {
        const removed = conn.stmt('DELETE FROM group_members WHERE group_id = ? AND user_id = ?').run(groupId, userId);
        conn.stmt('DELETE FROM conversation_members WHERE conversation_id = ? AND user_id = ?').run(groupConversationId(groupId), userId);
        return removed.changes > 0;
      }),

    setGroupMemberRole: (groupId, userId, role) =>
      conn.run(() => {
        const result = conn
          .stmt("UPDATE group_members SET role = ? WHERE group_id = ? AND user_id = ? AND role <> 'owner'")
          .run(role, groupId, userId);
        if (result.changes === 0) throw new StoreError('not-a-member-or-owner');
      }),

    transferGroupOwnership: (groupId, fromUserId, toUserId) =>
      conn.write(() => {
        const demoted = conn
          .stmt("UPDATE group_members SET role = 'admin' WHERE group_id = ? AND user_id = ? AND role = 'owner'")
          .run(groupId, fromUserId);
        const promoted = conn
          .stmt("UPDATE group_members SET role = 'owner', muted_until = NULL WHERE group_id = ? AND user_id = ?")
          .run(groupId, toUserId);
        if (demoted.changes === 0 || promoted.changes === 0) throw new StoreError('not-a-member');
        conn.stmt('UPDATE "groups" SET owner_id = ? WHERE id = ?').run(toUserId, groupId);
      }),

    setGroupMemberMute: (groupId, userId, mutedUntil) =>
      conn.run(() => {
        const result = conn.stmt('UPDATE group_members SET muted_until = ? WHERE group_id = ? AND user_id = ?').run(mutedUntil, groupId, userId);
        if (result.changes === 0) throw new StoreError('not-a-member');
      }),
  };
}

/**
 * addGroupMembers' work, for a write transaction already open (accepting an
 * invitation adds its invitee in the same transaction).
 */
export function addGroupMembersIn(
  conn: SqliteConnection,
  groupId: string,
  userIds: readonly string[],
  joinedAt: number,
  maxMembers: number,
): string[] {
  const conversationId = groupConversationId(groupId);
  const conversation = conn.get<{ last_seq: number }>('SELECT last_seq FROM conversations WHERE id = ?', conversationId);
  if (!conversation) throw new StoreError('group-not-found');
  const existing = new Set(
    conn.all<{ user_id: string }>('SELECT user_id FROM group_members WHERE group_id = ?', groupId).map((r) => r.user_id),
  );
  const added = uniqueIds(userIds).filter((id) => !existing.has(id));
  if (added.length === 0) return [];
  if (existing.size + added.length > maxMembers) throw new StoreError('group-full', { maxMembers });
  if (countUsers(conn, added) !== added.length) throw new StoreError('user-not-found');
  const addMember = conn.stmt("INSERT INTO group_members (group_id, user_id, role, joined_at, muted_until) VALUES (?, ?, 'member', ?, NULL)");
  const addConversationMember = conn.stmt(
    `INSERT INTO conversation_members (conversation_id, user_id, delivered_seq, read_seq) VALUES (?, ?, ?, ?)
     ON CONFLICT DO UPDATE SET delivered_seq = excluded.delivered_seq, read_seq = excluded.read_seq`,
  );
  for (const userId of added) {
    addMember.run(groupId, userId, joinedAt);
    addConversationMember.run(conversationId, userId, conversation.last_seq, conversation.last_seq);
  }
  return added;
}

/** How many of `ids` are users. */
function countUsers(conn: SqliteConnection, ids: readonly string[]): number {
  return conn.get<{ n: number }>(`SELECT COUNT(*) AS n FROM users WHERE id ${IN_JSON}`, JSON.stringify(ids))?.n ?? 0;
}
