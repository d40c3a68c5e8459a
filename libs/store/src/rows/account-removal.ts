import type { DeletedAccount } from '@parley/domain';
import { INVITATION_SELECT } from './invitations';

/*
 * Deleting an account (UserStore.deleteUser), written once for both engines:
 * each engine runs these statements in one transaction, in this order.
 */

/** What a deleted user is shown as: their messages keep a sender, nothing else of them stays. */
export const DELETED_USER_DISPLAY_NAME = 'Deleted user';

/** The username (and key) a deleted user's row takes, freeing theirs: too long for USERNAME_PATTERN, so nobody can sign in as it. */
export function deletedUsername(userId: string): string {
  return `deleted-${userId}`;
}

export const FRIEND_IDS_SQL = 'SELECT friend_id FROM friendships WHERE user_id = ? ORDER BY friend_id';

/** Each takes the user id twice. */
export const SOCIAL_CLEANUP_SQL = [
  'DELETE FROM friendships WHERE user_id = ? OR friend_id = ?',
  'DELETE FROM friend_requests WHERE from_user_id = ? OR to_user_id = ?',
  'DELETE FROM blocks WHERE blocker_id = ? OR blocked_id = ?',
] as const;

/**
 * Pending invitations to and from the user, read before PENDING_INVITATIONS_CANCEL
 * so DeletedAccount can name them (their invitees are told). Cancelled, not deleted,
 * as any withdrawn invitation. Both take the user id twice; the cancel takes the time first.
 */
export const PENDING_INVITATIONS_SQL = `${INVITATION_SELECT}
  WHERE i.status = 'pending' AND (i.invitee_id = ? OR i.inviter_id = ?) ORDER BY i.created_at, i.id`;
export const PENDING_INVITATIONS_CANCEL = `UPDATE group_invitations SET status = 'cancelled', pending_key = NULL, updated_at = ?
  WHERE status = 'pending' AND (invitee_id = ? OR inviter_id = ?)`;

/** The user's push subscriptions, of every session (an expired one's too: revocation only reaches active ones). */
export const PUSH_SUBSCRIPTIONS_CLEANUP_SQL = 'DELETE FROM push_subscriptions WHERE user_id = ?';

/** The user's own pending requests to join a group. */
export const PENDING_JOIN_REQUESTS_SQL = "DELETE FROM group_join_requests WHERE user_id = ? AND status = 'pending'";

export const MEMBERSHIPS_SQL = 'SELECT group_id, role FROM group_members WHERE user_id = ? ORDER BY group_id';

/** Who inherits an owner's group: the longest-standing admin, else the longest-standing member. Params: group, leaver. */
export const SUCCESSOR_SQL = `SELECT user_id FROM group_members WHERE group_id = ? AND user_id <> ?
  ORDER BY CASE role WHEN 'admin' THEN 0 ELSE 1 END, joined_at, user_id LIMIT 1`;

export const PROMOTE_SUCCESSOR_SQL = "UPDATE group_members SET role = 'owner', muted_until = NULL WHERE group_id = ? AND user_id = ?";

export const LEAVE_GROUP_SQL = 'DELETE FROM group_members WHERE group_id = ? AND user_id = ?';
export const LEAVE_CONVERSATION_SQL = 'DELETE FROM conversation_members WHERE conversation_id = ? AND user_id = ?';

/** Params: deletedAccountParams(). */
/**
 * dm_policy back to `friends`: with no friends left, nobody can start a
 * conversation with the deleted user. A deleted user is neither suspended
 * nor an admin: the role must not outlive the account. Notification
 * settings go back to their defaults.
 */
export const ERASE_USER_SQL = `UPDATE users SET username = ?, username_key = ?, password_hash = '', display_name = ?,
  avatar_url = NULL, bio = NULL, dm_policy = 'friends', suspended_at = NULL, is_admin = 0,
  push_previews = 0, dnd_json = NULL, deleted_at = ? WHERE id = ? AND deleted_at IS NULL`;

export function eraseUserParams(userId: string, at: number): unknown[] {
  const name = deletedUsername(userId);
  return [name, name, DELETED_USER_DISPLAY_NAME, at, userId];
}

export type GroupOutcome = DeletedAccount['groups'][number];
