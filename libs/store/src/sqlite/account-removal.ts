import { StoreError, type DeletedAccount } from '@parley/domain';
import { groupConversationId } from '@parley/protocol';
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
import type { SqliteConnection } from './connection';
import { revokeUserSessions } from './sessions';

/** UserStore.deleteUser on SQLite: one write transaction (rows/account-removal.ts says what it does). */
export function sqliteDeleteUser(conn: SqliteConnection, userId: string, at: number): Promise<DeletedAccount> {
  return conn.write(() => {
    if (!conn.get('SELECT 1 FROM users WHERE id = ? AND deleted_at IS NULL', userId)) throw new StoreError('user-not-found');
    const formerFriendIds = conn.all<{ friend_id: string }>(FRIEND_IDS_SQL, userId).map((r) => r.friend_id);
    for (const sql of SOCIAL_CLEANUP_SQL) conn.stmt(sql).run(userId, userId);
    const cancelledInvitations = conn
      .all<GroupInvitationRow>(PENDING_INVITATIONS_SQL, userId, userId)
      .map((row) => ({ ...toGroupInvitation(row), status: 'cancelled' as const, updatedAt: at }));
    conn.stmt(PENDING_INVITATIONS_CANCEL).run(at, userId, userId);
    conn.stmt(PENDING_JOIN_REQUESTS_SQL).run(userId);
    const groups = conn
      .all<{ group_id: string; role: string }>(MEMBERSHIPS_SQL, userId)
      .map(({ group_id: groupId, role }) => leaveGroup(conn, groupId, userId, role === 'owner'));
    const sessionIds = revokeUserSessions(conn, userId, 'account-deleted', at);
    conn.stmt(PUSH_SUBSCRIPTIONS_CLEANUP_SQL).run(userId);
    conn.stmt(ERASE_USER_SQL).run(...eraseUserParams(userId, at));
    return { sessionIds, formerFriendIds, groups, cancelledInvitations };
  });
}

function leaveGroup(conn: SqliteConnection, groupId: string, userId: string, isOwner: boolean): GroupOutcome {
  if (isOwner) {
    const successor = conn.get<{ user_id: string }>(SUCCESSOR_SQL, groupId, userId);
    if (!successor) {
      // Cascades to members, requests, invitations, the conversation and its messages.
      conn.stmt('DELETE FROM "groups" WHERE id = ?').run(groupId);
      return { groupId, outcome: 'dissolved' };
    }
    conn.stmt(PROMOTE_SUCCESSOR_SQL).run(groupId, successor.user_id);
    conn.stmt('UPDATE "groups" SET owner_id = ? WHERE id = ?').run(successor.user_id, groupId);
    removeMember(conn, groupId, userId);
    return { groupId, outcome: 'transferred', newOwnerId: successor.user_id };
  }
  removeMember(conn, groupId, userId);
  return { groupId, outcome: 'left' };
}

function removeMember(conn: SqliteConnection, groupId: string, userId: string): void {
  conn.stmt(LEAVE_GROUP_SQL).run(groupId, userId);
  conn.stmt(LEAVE_CONVERSATION_SQL).run(groupConversationId(groupId), userId);
}
