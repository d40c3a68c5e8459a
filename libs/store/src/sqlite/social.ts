import type { SocialStore } from '@parley/domain';
import {
  DIRECT_CONTEXT_SELECT,
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
import { IN_JSON, type SqliteConnection } from './connection';

const PEER_RELATIONS_SELECT = peerRelationsSelect((...parts) => parts.join(' || '), IN_JSON);

/** Friendships, blocks and relations on SQLite. */
export function sqliteSocialStore(conn: SqliteConnection): SocialStore {
  return {
    listFriendIds: (userId) =>
      conn.run(() =>
        conn
          .all<{ friend_id: string }>('SELECT friend_id FROM friendships WHERE user_id = ? ORDER BY created_at, friend_id', userId)
          .map((r) => r.friend_id),
      ),

    removeFriendship: (userId, otherId) =>
      conn.run(() => {
        const result = conn
          .stmt('DELETE FROM friendships WHERE (user_id = ? AND friend_id = ?) OR (user_id = ? AND friend_id = ?)')
          .run(userId, otherId, otherId, userId);
        return result.changes > 0;
      }),

    getDirectContext: (senderId, recipientId) =>
      conn.run(() => {
        const row = conn.get<DirectContextRow>(DIRECT_CONTEXT_SELECT, ...directContextParams(senderId, recipientId));
        return row ? toDirectContext(row) : null;
      }),

    getRelation: (userId, otherId) =>
      conn.run(() => toRelation(conn.get<RelationRow>(RELATION_SELECT, ...relationParams(userId, otherId)))),

    addBlock: (blockerId, blockedId, at) =>
      conn.run(() => {
        const result = conn
          .stmt('INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
          .run(blockerId, blockedId, at);
        return result.changes > 0;
      }),

    removeBlock: (blockerId, blockedId) =>
      conn.run(() => conn.stmt('DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?').run(blockerId, blockedId).changes > 0),

    listBlockedIds: (blockerId) =>
      conn.run(() =>
        conn
          .all<{ blocked_id: string }>('SELECT blocked_id FROM blocks WHERE blocker_id = ? ORDER BY created_at, blocked_id', blockerId)
          .map((r) => r.blocked_id),
      ),

    listBlockersAmong: (blockedId, userIds) =>
      conn.run(() => {
        if (userIds.length === 0) return [];
        return conn
          .all<{ blocker_id: string }>(
            `SELECT blocker_id FROM blocks WHERE blocked_id = ? AND blocker_id ${IN_JSON} ORDER BY blocker_id`,
            blockedId,
            JSON.stringify(userIds),
          )
          .map((r) => r.blocker_id);
      }),

    listPeerRelations: (userId, otherIds) =>
      conn.run(() => {
        if (otherIds.length === 0) return [];
        return conn.all<PeerRelationRow>(PEER_RELATIONS_SELECT, ...peerRelationsParams(userId), JSON.stringify(otherIds)).map(toPeerRelation);
      }),
  };
}
