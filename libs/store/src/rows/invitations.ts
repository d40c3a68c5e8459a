import type { GroupInvitationRecord, NewGroupInvitation } from '@parley/domain';
import type { RequestStatus } from '@parley/protocol';
import { pendingKey } from './requests';

export interface GroupInvitationRow {
  id: string;
  group_id: string;
  inviter_id: string;
  invitee_id: string;
  status: string;
  created_at: number;
  updated_at: number;
  /** 1 while the invitation is live (see LIVE_INVITATION). */
  live: number;
}

/**
 * Live: the inviter is still a member of the group and no block stands
 * between the two (either way). On alias `i`.
 */
export const LIVE_INVITATION = `(EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = i.group_id AND m.user_id = i.inviter_id)
  AND NOT EXISTS (SELECT 1 FROM blocks b
    WHERE (b.blocker_id = i.invitee_id AND b.blocked_id = i.inviter_id) OR (b.blocker_id = i.inviter_id AND b.blocked_id = i.invitee_id)))`;

/** Invitations (alias `i`) with their liveness; add a WHERE. */
export const INVITATION_SELECT = `SELECT i.id, i.group_id, i.inviter_id, i.invitee_id, i.status, i.created_at, i.updated_at,
  ${LIVE_INVITATION} AS live
  FROM group_invitations i`;

/** The invitee's live pending invitations; bind invitee id, limit. */
export const LIST_PENDING_INVITATIONS = `${INVITATION_SELECT}
  WHERE i.invitee_id = ? AND i.status = 'pending' AND ${LIVE_INVITATION}
  ORDER BY i.created_at DESC, i.id DESC LIMIT ?`;

/** How many live pending invitations the invitee holds, and how many of them from one inviter; bind inviter id, invitee id. */
export const COUNT_PENDING_INVITATIONS = `SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN i.inviter_id = ? THEN 1 ELSE 0 END), 0) AS from_inviter
  FROM group_invitations i WHERE i.invitee_id = ? AND i.status = 'pending' AND ${LIVE_INVITATION}`;

export interface InvitationCountRow {
  total: number;
  from_inviter: number;
}

export function toGroupInvitation(row: GroupInvitationRow): GroupInvitationRecord {
  return {
    id: row.id,
    groupId: row.group_id,
    inviterId: row.inviter_id,
    inviteeId: row.invitee_id,
    status: row.status as RequestStatus,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** The pending key of (group, invitee): unique while pending (migration 3). */
export const invitationPendingKey = (groupId: string, inviteeId: string): string => pendingKey(groupId, inviteeId);

/** The INSERT of a new pending invitation, with its values (both dialects). */
export function insertGroupInvitation(invitation: NewGroupInvitation): { sql: string; params: unknown[] } {
  return {
    sql: `INSERT INTO group_invitations (id, group_id, inviter_id, invitee_id, status, pending_key, created_at, updated_at)
      VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`,
    params: [
      invitation.id,
      invitation.groupId,
      invitation.inviterId,
      invitation.inviteeId,
      invitationPendingKey(invitation.groupId, invitation.inviteeId),
      invitation.createdAt,
      invitation.createdAt,
    ],
  };
}

/** Moves a pending invitation to an answer; bind status, time, id. Matches nothing once answered. */
export const RESOLVE_INVITATION = `UPDATE group_invitations SET status = ?, pending_key = NULL, updated_at = ? WHERE id = ? AND status = 'pending'`;

/** Pending invitations of one inviter into one group (alias `i`); bind group id, inviter id. */
export const PENDING_BY_INVITER = `i.group_id = ? AND i.inviter_id = ? AND i.status = 'pending'`;

/** Pending invitations between two users, either way (alias `i`); bind a, b, b, a. */
export const PENDING_BETWEEN = `i.status = 'pending' AND ((i.inviter_id = ? AND i.invitee_id = ?) OR (i.inviter_id = ? AND i.invitee_id = ?))`;
