import type { RequestStatus } from '@parley/protocol';

/**
 * An invitation into a group waiting for the invitee's consent. It is live
 * while pending, its inviter is still a member of the group and neither of
 * the two has blocked the other. Leaving, removal and blocks withdraw
 * (cancel) the invitations they concern at once; one that stopped being live
 * some other way (a race with them, a deleted account) is withdrawn when it
 * is next touched. Invitations go with their
 * group (a dissolved group's are deleted).
 */
export interface GroupInvitationRecord {
  id: string;
  groupId: string;
  inviterId: string;
  inviteeId: string;
  status: RequestStatus;
  createdAt: number;
  updatedAt: number;
}

export type NewGroupInvitation = Omit<GroupInvitationRecord, 'status' | 'updatedAt'>;

/** How many live pending invitations one invitee may hold. */
export interface InvitationLimits {
  /** From everyone together. */
  perInvitee: number;
  /** From one inviter, across groups. */
  perInviter: number;
}

/** Group invitations (see GroupInvitationRecord for when one is live). */
export interface InvitationStore {
  /**
   * Creates a pending invitation, or returns the live one already pending
   * for (group, invitee) with created=false; a pending one that is no longer
   * live is withdrawn and replaced. StoreError `too-many-invitations` when
   * the invitee already holds `limits` live pending invitations;
   * NOT_FOUND for an unknown group or user.
   */
  createGroupInvitation(
    invitation: NewGroupInvitation,
    limits: InvitationLimits,
  ): Promise<{ invitation: GroupInvitationRecord; created: boolean }>;
  getGroupInvitation(id: string): Promise<GroupInvitationRecord | null>;
  /** The invitee's live pending invitations, newest first, at most `limit`. */
  listPendingGroupInvitations(inviteeId: string, limit: number): Promise<GroupInvitationRecord[]>;
  /**
   * Declines a pending invitation (`rejected`). StoreError `request-resolved`
   * when it is no longer pending, `request-not-found` for an unknown one.
   */
  declineGroupInvitation(id: string, at: number): Promise<GroupInvitationRecord>;
  /**
   * Atomically: a live pending invitation becomes `accepted` and its invitee
   * a member as addGroupMembers adds one (`joined` false when they were a
   * member already). One no longer live comes back `cancelled` (withdrawn),
   * nobody added. StoreError `group-full` leaves it pending;
   * `request-resolved` when it is no longer pending; `request-not-found`
   * for an unknown one (its group dissolved, for instance).
   */
  acceptGroupInvitation(id: string, at: number, maxMembers: number): Promise<{ invitation: GroupInvitationRecord; joined: boolean }>;
  /**
   * Withdraws (cancels) the pending invitations `inviterId` made into the
   * group, when they leave it or are removed; returns them as cancelled.
   */
  withdrawGroupInvitationsBy(groupId: string, inviterId: string, at: number): Promise<GroupInvitationRecord[]>;
  /** Withdraws the pending invitations between two users, either way (a block came between them). */
  withdrawGroupInvitationsBetween(userId: string, otherId: string, at: number): Promise<GroupInvitationRecord[]>;
}
