import type { RequestStatus } from '@parley/protocol';

export interface FriendRequestRecord {
  id: string;
  fromUserId: string;
  toUserId: string;
  note: string | null;
  status: RequestStatus;
  createdAt: number;
  updatedAt: number;
}

export type NewFriendRequest = Omit<FriendRequestRecord, 'status' | 'updatedAt'>;

export interface GroupJoinRequestRecord {
  id: string;
  groupId: string;
  userId: string;
  /** The member who invited; null when the user asked to join. */
  inviterId: string | null;
  status: RequestStatus;
  createdAt: number;
  updatedAt: number;
}

export type NewGroupJoinRequest = Omit<GroupJoinRequestRecord, 'status' | 'updatedAt'>;

/** The answer a pending request may get. */
export type RequestResolution = Exclude<RequestStatus, 'pending'>;

/**
 * Requests waiting for an answer: friend requests and group join requests.
 * Resolving one that is no longer pending is StoreError `request-resolved`;
 * an unknown one `request-not-found`.
 */
export interface RequestStore {
  /**
   * Creates a pending join request, or returns the one already pending for
   * (group, user) with created=false. NOT_FOUND for an unknown group or user.
   */
  createGroupJoinRequest(request: NewGroupJoinRequest): Promise<{ request: GroupJoinRequestRecord; created: boolean }>;
  getGroupJoinRequest(id: string): Promise<GroupJoinRequestRecord | null>;
  /** Pending requests of a group, oldest first. */
  listGroupJoinRequests(groupId: string): Promise<GroupJoinRequestRecord[]>;
  /** Moves a pending request to `status`. */
  resolveGroupJoinRequest(id: string, status: RequestResolution, at: number): Promise<GroupJoinRequestRecord>;

  /**
   * StoreError `friend-request-pending` when a request from the same user to
   * the same user is already pending; NOT_FOUND for unknown users.
   */
  createFriendRequest(request: NewFriendRequest): Promise<FriendRequestRecord>;
  getFriendRequest(id: string): Promise<FriendRequestRecord | null>;
  /** The pending request from one user to another, if any. */
  findPendingFriendRequest(fromUserId: string, toUserId: string): Promise<FriendRequestRecord | null>;
  /** Pending requests from or to the user, oldest first. */
  listPendingFriendRequests(userId: string): Promise<FriendRequestRecord[]>;
  /** Moves a pending request to `status`, and on `accepted` makes both users friends, in one transaction. */
  resolveFriendRequest(id: string, status: RequestResolution, at: number): Promise<FriendRequestRecord>;
}
