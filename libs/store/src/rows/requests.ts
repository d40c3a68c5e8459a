import type { FriendRequestRecord, GroupJoinRequestRecord } from '@parley/domain';
import type { RequestStatus } from '@parley/protocol';

export interface FriendRequestRow {
  id: string;
  from_user_id: string;
  to_user_id: string;
  note: string | null;
  status: string;
  created_at: number;
  updated_at: number;
}

export const FRIEND_REQUEST_COLUMNS = 'id, from_user_id, to_user_id, note, status, created_at, updated_at';

export function toFriendRequest(row: FriendRequestRow): FriendRequestRecord {
  return {
    id: row.id,
    fromUserId: row.from_user_id,
    toUserId: row.to_user_id,
    note: row.note,
    status: row.status as RequestStatus,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export interface GroupJoinRequestRow {
  id: string;
  group_id: string;
  user_id: string;
  inviter_id: string | null;
  status: string;
  created_at: number;
  updated_at: number;
}

export const GROUP_JOIN_REQUEST_COLUMNS = 'id, group_id, user_id, inviter_id, status, created_at, updated_at';

export function toGroupJoinRequest(row: GroupJoinRequestRow): GroupJoinRequestRecord {
  return {
    id: row.id,
    groupId: row.group_id,
    userId: row.user_id,
    inviterId: row.inviter_id,
    status: row.status as RequestStatus,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** Unique while pending (see migration 2): one pending request per ordered pair. */
export const pendingKey = (a: string, b: string): string => `${a}>${b}`;

/** A new request as it is stored: pending, not yet updated. */
export function pendingRecord<T extends { createdAt: number }>(request: T): T & { status: 'pending'; updatedAt: number } {
  return { ...request, status: 'pending', updatedAt: request.createdAt };
}

/** The INSERT of a new pending friend request, with its values (both dialects). */
export function insertFriendRequest(request: Omit<FriendRequestRecord, 'status' | 'updatedAt'>): { sql: string; params: unknown[] } {
  return {
    sql: `INSERT INTO friend_requests (${FRIEND_REQUEST_COLUMNS}, pending_key) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`,
    params: [
      request.id,
      request.fromUserId,
      request.toUserId,
      request.note,
      request.createdAt,
      request.createdAt,
      pendingKey(request.fromUserId, request.toUserId),
    ],
  };
}

/** The INSERT of a new pending join request, with its values (both dialects). */
export function insertGroupJoinRequest(request: Omit<GroupJoinRequestRecord, 'status' | 'updatedAt'>): { sql: string; params: unknown[] } {
  return {
    sql: `INSERT INTO group_join_requests (${GROUP_JOIN_REQUEST_COLUMNS}, pending_key) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`,
    params: [
      request.id,
      request.groupId,
      request.userId,
      request.inviterId,
      request.createdAt,
      request.createdAt,
      pendingKey(request.groupId, request.userId),
    ],
  };
}

/** Moves a pending request of `table` to an answer; bind status, time, id. Matches nothing once answered. */
export const resolveRequestSql = (table: 'friend_requests' | 'group_join_requests'): string =>
  `UPDATE ${table} SET status = ?, pending_key = NULL, updated_at = ? WHERE id = ? AND status = 'pending'`;
