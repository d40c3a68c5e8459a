import { StoreError, type FriendRequestRecord, type RequestStore } from '@parley/domain';
import {
  FRIEND_REQUEST_COLUMNS,
  GROUP_JOIN_REQUEST_COLUMNS,
  insertFriendRequest,
  insertGroupJoinRequest,
  pendingKey,
  pendingRecord,
  resolveRequestSql,
  toFriendRequest,
  toGroupJoinRequest,
  type FriendRequestRow,
  type GroupJoinRequestRow,
} from '../rows/requests';
import type { SqliteConnection } from './connection';
import { isUniqueViolation } from './errors';

/** Friend requests and group join requests on SQLite. */
export function sqliteRequestStore(conn: SqliteConnection): RequestStore {
  const friendRequestWhere = (where: string, value: string): FriendRequestRecord | null => {
    const row = conn.get<FriendRequestRow>(`SELECT ${FRIEND_REQUEST_COLUMNS} FROM friend_requests WHERE ${where}`, value);
    return row ? toFriendRequest(row) : null;
  };
  const joinRequestWhere = (where: string, value: string) => {
    const row = conn.get<GroupJoinRequestRow>(`SELECT ${GROUP_JOIN_REQUEST_COLUMNS} FROM group_join_requests WHERE ${where}`, value);
    return row ? toGroupJoinRequest(row) : null;
  };

  return {
    createGroupJoinRequest: (request) =>
      conn.write(() => {
        const existing = joinRequestWhere('pending_key = ?', pendingKey(request.groupId, request.userId));
        if (existing) return { request: existing, created: false };
        const insert = insertGroupJoinRequest(request);
        conn.stmt(insert.sql).run(...insert.params);
        return { request: pendingRecord(request), created: true };
      }),

    getGroupJoinRequest: (id) => conn.run(() => joinRequestWhere('id = ?', id)),

    listGroupJoinRequests: (groupId) =>
      conn.run(() =>
        conn
          .all<GroupJoinRequestRow>(
            `SELECT ${GROUP_JOIN_REQUEST_COLUMNS} FROM group_join_requests WHERE group_id = ? AND status = 'pending' ORDER BY created_at, id`,
            groupId,
          )
          .map(toGroupJoinRequest),
      ),

    resolveGroupJoinRequest: (id, status, at) =>
      conn.write(() => {
        const result = conn.stmt(resolveRequestSql('group_join_requests')).run(status, at, id);
        const request = joinRequestWhere('id = ?', id);
        if (!request) throw new StoreError('request-not-found');
        if (result.changes === 0) throw new StoreError('request-resolved', { status: request.status });
        return request;
      }),

    createFriendRequest: (request) =>
      conn.run(() => {
        const insert = insertFriendRequest(request);
        try {
          conn.stmt(insert.sql).run(...insert.params);
        } catch (err) {
          if (isUniqueViolation(err, 'friend_requests.pending_key')) throw new StoreError('friend-request-pending');
          throw err;
        }
        return pendingRecord(request);
      }),

    getFriendRequest: (id) => conn.run(() => friendRequestWhere('id = ?', id)),

    findPendingFriendRequest: (fromUserId, toUserId) => conn.run(() => friendRequestWhere('pending_key = ?', pendingKey(fromUserId, toUserId))),

    listPendingFriendRequests: (userId) =>
      conn.run(() =>
        conn
          .all<FriendRequestRow>(
            `SELECT ${FRIEND_REQUEST_COLUMNS} FROM friend_requests
             WHERE status = 'pending' AND (from_user_id = ? OR to_user_id = ?) ORDER BY created_at, id`,
            userId,
            userId,
          )
          .map(toFriendRequest),
      ),

    resolveFriendRequest: (id, status, at) =>
      conn.write(() => {
        const result = conn.stmt(resolveRequestSql('friend_requests')).run(status, at, id);
        const request = friendRequestWhere('id = ?', id);
        if (!request) throw new StoreError('request-not-found');
        if (result.changes === 0) throw new StoreError('request-resolved', { status: request.status });
        if (status === 'accepted') {
          const befriend = conn.stmt('INSERT INTO friendships (user_id, friend_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
          befriend.run(request.fromUserId, request.toUserId, at);
          befriend.run(request.toUserId, request.fromUserId, at);
        }
        return request;
      }),
  };
}
