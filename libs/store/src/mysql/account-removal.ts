import { StoreError, type DeletedAccount } from '@parley/domain';
import { groupConversationId } from '@parley/protocol';
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import {
  ERASE_USER_SQL,
  FRIEND_IDS_SQL,
  LEAVE_CONVERSATION_SQL,
  LEAVE_GROUP_SQL,
  MEMBERSHIPS_SQL,
  PENDING_INVITATIONS_CANCEL,
  PENDING_INVITATIONS_SQL,
  PENDING_JOIN_REQUESTS_SQL,
  PROMOTE_SUCCESSOR_SQL,
  PUSH_SUBSCRIPTIONS_CLEANUP_SQL,
  SOCIAL_CLEANUP_SQL,
  SUCCESSOR_SQL,
  eraseUserParams,
  type GroupOutcome,
} from '../rows/account-removal';
import { toGroupInvitation, type GroupInvitationRow } from '../rows/invitations';
import type { MysqlConnection } from './connection';
import { revokeUserSessions } from './sessions';

/**
 * UserStore.deleteUser on MySQL: one transaction (rows/account-removal.ts
 * says what it does). The user row is locked first, so two deletions of one
 * account serialize and the second finds it deleted.
 */
export function mysqlDeleteUser(conn: MysqlConnection, userId: string, at: number): Promise<DeletedAccount> {
  return conn.transaction(async (c) => {
    const [found] = await c.query<RowDataPacket[]>('SELECT id FROM users WHERE id = ? AND deleted_at IS NULL FOR UPDATE', [userId]);
    if (!found[0]) throw new StoreError('user-not-found');
    const [friends] = await c.query<RowDataPacket[]>(FRIEND_IDS_SQL, [userId]);
    for (const sql of SOCIAL_CLEANUP_SQL) await c.query(sql, [userId, userId]);
    const [invitations] = await c.query<(GroupInvitationRow & RowDataPacket)[]>(`${PENDING_INVITATIONS_SQL} FOR UPDATE`, [userId, userId]);
    await c.query(PENDING_INVITATIONS_CANCEL, [at, userId, userId]);
    await c.query(PENDING_JOIN_REQUESTS_SQL, [userId]);
    const [memberships] = await c.query<RowDataPacket[]>(MEMBERSHIPS_SQL, [userId]);
    const groups: GroupOutcome[] = [];
    for (const m of memberships) groups.push(await leaveGroup(c, String(m.group_id), userId, m.role === 'owner'));
    const sessionIds = await revokeUserSessions(c, userId, 'account-deleted', at);
    await c.query(PUSH_SUBSCRIPTIONS_CLEANUP_SQL, [userId]);
    await c.query(ERASE_USER_SQL, eraseUserParams(userId, at));
    const cancelledInvitations = invitations.map((row) => ({ ...toGroupInvitation(row), status: 'cancelled' as const, updatedAt: at }));
    return { sessionIds, formerFriendIds: friends.map((r) => String(r.friend_id)), groups, cancelledInvitations };
  });
}

async function leaveGroup(c: PoolConnection, groupId: string, userId: string, isOwner: boolean): Promise<GroupOutcome> {
  if (isOwner) {
    const [rows] = await c.query<RowDataPacket[]>(SUCCESSOR_SQL, [groupId, userId]);
    const successor = rows[0] ? String(rows[0].user_id) : undefined;
    if (successor === undefined) {
      // Cascades to members, requests, invitations, the conversation and its messages.
      await c.query('DELETE FROM `groups` WHERE id = ?', [groupId]);
      return { groupId, outcome: 'dissolved' };
    }
    await c.query(PROMOTE_SUCCESSOR_SQL, [groupId, successor]);
    await c.query('UPDATE `groups` SET owner_id = ? WHERE id = ?', [successor, groupId]);
    await removeMember(c, groupId, userId);
    return { groupId, outcome: 'transferred', newOwnerId: successor };
  }
  await removeMember(c, groupId, userId);
  return { groupId, outcome: 'left' };
}

async function removeMember(c: PoolConnection, groupId: string, userId: string): Promise<void> {
  await c.query(LEAVE_GROUP_SQL, [groupId, userId]);
  await c.query(LEAVE_CONVERSATION_SQL, [groupConversationId(groupId), userId]);
}
