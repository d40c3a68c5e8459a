import { StoreError, type GroupJoinRequestRecord, type RequestStore } from '@parley/domain';
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
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
import type { MysqlConnection } from './connection';
import { isDuplicateKey, toStoreError } from './errors';

/** Friend requests and group join requests on MySQL. */
export function mysqlRequestStore(conn: MysqlConnection): RequestStore {
  const joinRequestWhere = async (where: string, value: string): Promise<GroupJoinRequestRecord | null> => {
    const rows = await conn.select<GroupJoinRequestRow>(`SELECT ${GROUP_JOIN_REQUEST_COLUMNS} FROM group_join_requests WHERE ${where}`, [
      value,
    ]);
    return rows[0] ? toGroupJoinRequest(rows[0]) : null;
  };
  const friendRequestWhere = async (where: string, value: string) => {
    const rows = await conn.select<FriendRequestRow>(`SELECT ${FRIEND_REQUEST_COLUMNS} FROM friend_requests WHERE ${where}`, [value]);
    return rows[0] ? toFriendRequest(rows[0]) : null;
  };

  return {
    async createGroupJoinRequest(request) {
      const insert = insertGroupJoinRequest(request);
      try {
        await conn.execute(insert.sql, insert.params);
        return { request: pendingRecord(request), created: true };
      } catch (err) {
        if (!isDuplicateKey(err, 'uq_group_join_requests_pending')) throw toStoreError(err);
        const pending = await joinRequestWhere('pending_key = ?', pendingKey(request.groupId, request.userId));
        // Answered between our insert and this read: the caller may simply try again.
        if (!pending) throw new StoreError('request-changed');
        return { request: pending, created: false };
      }
    },

    getGroupJoinRequest: (id) => joinRequestWhere('id = ?', id),

    async listGroupJoinRequests(groupId) {
      const rows = await conn.select<GroupJoinRequestRow>(
        `SELECT ${GROUP_JOIN_REQUEST_COLUMNS} FROM group_join_requests WHERE group_id = ? AND status = 'pending' ORDER BY created_at, id`,
        [groupId],
      );
      return rows.map(toGroupJoinRequest);
    },

    async resolveGroupJoinRequest(id, status, at) {
      const result = await conn.execute(resolveRequestSql('group_join_requests'), [status, at, id]);
      const request = await joinRequestWhere('id = ?', id);
      if (!request) throw new StoreError('request-not-found');
      if (result.affectedRows === 0) throw new StoreError('request-resolved', { status: request.status });
      return request;
    },

    async createFriendRequest(request) {
      const insert = insertFriendRequest(request);
      try {
        await conn.execute(insert.sql, insert.params);
      } catch (err) {
        if (isDuplicateKey(err, 'uq_friend_requests_pending')) throw new StoreError('friend-request-pending');
        throw toStoreError(err);
      }
      return pendingRecord(request);
    },

    getFriendRequest: (id) => friendRequestWhere('id = ?', id),

    findPendingFriendRequest: (fromUserId, toUserId) => friendRequestWhere('pending_key = ?', pendingKey(fromUserId, toUserId)),

    async listPendingFriendRequests(userId) {
      const rows = await conn.select<FriendRequestRow>(
        `SELECT ${FRIEND_REQUEST_COLUMNS} FROM friend_requests
         WHERE status = 'pending' AND (from_user_id = ? OR to_user_id = ?) ORDER BY created_at, id`,
        [userId, userId],
      );
      return rows.map(toFriendRequest);
    },

    resolveFriendRequest: (id, status, at) =>
      conn.transaction(async (c) => {
        const [result] = await c.query<ResultSetHeader>(resolveRequestSql('friend_requests'), [status, at, id]);
        const [rows] = await c.query<RowDataPacket[]>(`SELECT ${FRIEND_REQUEST_COLUMNS} FROM friend_requests WHERE id = ?`, [id]);
        const row = rows[0] as (FriendRequestRow & RowDataPacket) | undefined;
        if (!row) throw new StoreError('request-not-found');
        const request = toFriendRequest(row);
        if (result.affectedRows === 0) throw new StoreError('request-resolved', { status: request.status });
        if (status === 'accepted') {
          await c.query('INSERT IGNORE INTO friendships (user_id, friend_id, created_at) VALUES ?', [
            [
              [request.fromUserId, request.toUserId, at],
              [request.toUserId, request.fromUserId, at],
            ],
          ]);
        }
        return request;
      }),
  };
}
