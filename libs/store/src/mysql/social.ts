import type { SocialStore } from '@parley/domain';
import type { RowDataPacket } from 'mysql2/promise';
import {
  DIRECT_CONTEXT_BODY,
  RELATION_SELECT,
  directContextParams,
  peerRelationsParams,
  peerRelationsSelect,
  relationParams,
  toDirectContext,
  toPeerRelation,
  toRelation,
  type DirectContextRow,
  type PeerRelationRow,
  type RelationRow,
} from '../rows/social';
import { batchedListLookup, batchedLookup, SAME_TURN_ONLY } from './batched-lookup';
import type { MysqlConnection } from './connection';
import { isDuplicateKey } from './errors';

// MySQL's `||` is OR unless PIPES_AS_CONCAT; mysql2 expands an array bound to IN (?).
const PEER_RELATIONS_SELECT = peerRelationsSelect((...parts) => `CONCAT(${parts.join(', ')})`, 'IN (?)');

/** Friendships, blocks and relations on MySQL. */
export function mysqlSocialStore(conn: MysqlConnection): SocialStore {
  /** The authorization read of every direct send, batched like the appends. */
  const directContexts = conn.drainOnClose(
    batchedLookup(
      conn.pool,
      {
        body: DIRECT_CONTEXT_BODY,
        params: (p: { senderId: string; recipientId: string }) => directContextParams(p.senderId, p.recipientId),
        toResult: (row) => toDirectContext(row as DirectContextRow & RowDataPacket),
      },
      conn.lingerMs,
    ),
  );

  /** Whom to tell of a presence change: read on every first connect and last disconnect, so a storm's share one statement per batch. */
  const friendIds = conn.drainOnClose(
    batchedListLookup(
      conn.pool,
      { sql: 'SELECT user_id AS lookup_key, friend_id FROM friendships WHERE user_id IN (?) ORDER BY user_id, created_at, friend_id', toResult: (row) => String(row.friend_id) },
      SAME_TURN_ONLY,
    ),
  );

  return {
    listFriendIds: (userId) => friendIds.submit(userId),

    async removeFriendship(userId, otherId) {
      const result = await conn.execute(
        'DELETE FROM friendships WHERE (user_id = ? AND friend_id = ?) OR (user_id = ? AND friend_id = ?)',
        [userId, otherId, otherId, userId],
      );
      return result.affectedRows > 0;
    },

    getDirectContext: (senderId, recipientId) => directContexts.submit({ senderId, recipientId }),

    async getRelation(userId, otherId) {
      const rows = await conn.select<RelationRow>(RELATION_SELECT, relationParams(userId, otherId));
      return toRelation(rows[0]);
    },

    async addBlock(blockerId, blockedId, at) {
      // Not INSERT IGNORE: that would also swallow the foreign-key error of an unknown user.
      try {
        await conn.execute('INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?)', [blockerId, blockedId, at]);
        return true;
      } catch (err) {
        if (isDuplicateKey(err, 'PRIMARY')) return false;
        throw err;
      }
    },

    async removeBlock(blockerId, blockedId) {
      const result = await conn.execute('DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?', [blockerId, blockedId]);
      return result.affectedRows > 0;
    },

    async listBlockedIds(blockerId) {
      const rows = await conn.select<{ blocked_id: string }>(
        'SELECT blocked_id FROM blocks WHERE blocker_id = ? ORDER BY created_at, blocked_id',
        [blockerId],
      );
      return rows.map((r) => r.blocked_id);
    },

    async listBlockersAmong(blockedId, userIds) {
      if (userIds.length === 0) return [];
      const rows = await conn.select<{ blocker_id: string }>(
        'SELECT blocker_id FROM blocks WHERE blocked_id = ? AND blocker_id IN (?) ORDER BY blocker_id',
        [blockedId, userIds],
      );
      return rows.map((r) => r.blocker_id);
    },

    async listPeerRelations(userId, otherIds) {
      if (otherIds.length === 0) return [];
      const rows = await conn.select<PeerRelationRow>(PEER_RELATIONS_SELECT, [...peerRelationsParams(userId), otherIds]);
      return rows.map(toPeerRelation);
    },
  };
}
