import type { DirectContext, PeerRelation, UserRelation } from '@parley/domain';
import { USER_COLUMNS, toUser, type UserRow } from './users';

/**
 * A user and how they relate to a sender, in one round trip: the whole
 * authorization of a direct message. What follows SELECT; bind: sender,
 * sender, sender, user id.
 */
export const DIRECT_CONTEXT_BODY = `${USER_COLUMNS},
  EXISTS (SELECT 1 FROM friendships f WHERE f.user_id = ? AND f.friend_id = users.id) AS rel_friends,
  EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = ? AND b.blocked_id = users.id) AS rel_blocking,
  EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = users.id AND b.blocked_id = ?) AS rel_blocked_by
  FROM users WHERE id = ?`;

export const DIRECT_CONTEXT_SELECT = `SELECT ${DIRECT_CONTEXT_BODY}`;

/** DIRECT_CONTEXT_BODY's bind values. */
export const directContextParams = (senderId: string, recipientId: string): string[] => [senderId, senderId, senderId, recipientId];

export type DirectContextRow = UserRow & { rel_friends: number; rel_blocking: number; rel_blocked_by: number };

export function toDirectContext(row: DirectContextRow): DirectContext {
  return {
    recipient: toUser(row),
    relation: {
      friends: Boolean(Number(row.rel_friends)),
      blocking: Boolean(Number(row.rel_blocking)),
      blockedBy: Boolean(Number(row.rel_blocked_by)),
    },
  };
}

/** getRelation in one statement; bind with relationParams. */
export const RELATION_SELECT = `SELECT
  EXISTS (SELECT 1 FROM friendships WHERE user_id = ? AND friend_id = ?) AS friends,
  EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ? AND blocked_id = ?) AS blocking,
  EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ? AND blocked_id = ?) AS blocked_by`;

export const relationParams = (userId: string, otherId: string): string[] => [userId, otherId, userId, otherId, otherId, userId];

export interface RelationRow {
  friends: number;
  blocking: number;
  blocked_by: number;
}

/** No row reads as no relation. */
export function toRelation(row: RelationRow | undefined): UserRelation {
  return {
    friends: Boolean(Number(row?.friends)),
    blocking: Boolean(Number(row?.blocking)),
    blockedBy: Boolean(Number(row?.blocked_by)),
  };
}

/** How an engine concatenates SQL string expressions (`||` in SQLite, CONCAT in MySQL). */
export type SqlConcat = (...parts: string[]) => string;

/**
 * listPeerRelations: one row per known user among the ids matched by
 * `idsIn` (the engine's list test), related to one user. The direct
 * conversation is probed under both orders of its id (directConversationId
 * sorts the pair; trying both keeps SQL free of collation-dependent
 * ordering), each by equality so MySQL reads it by primary key instead of
 * scanning the user's conversations. Bind: the user's id eight times, then
 * the list.
 */
export function peerRelationsSelect(concat: SqlConcat, idsIn: string): string {
  const inDirect = (conversationId: string): string =>
    `EXISTS (SELECT 1 FROM conversation_members cm WHERE cm.conversation_id = ${conversationId} AND cm.user_id = ?)`;
  return `SELECT u.id AS peer_id,
    EXISTS (SELECT 1 FROM friendships f WHERE f.user_id = ? AND f.friend_id = u.id) AS rel_friends,
    EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = ? AND b.blocked_id = u.id) AS rel_blocking,
    EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = u.id AND b.blocked_id = ?) AS rel_blocked_by,
    (${inDirect(concat("'d:'", '?', "':'", 'u.id'))} OR ${inDirect(concat("'d:'", 'u.id', "':'", '?'))}) AS rel_direct,
    EXISTS (SELECT 1 FROM group_members mine JOIN group_members theirs ON theirs.group_id = mine.group_id
      WHERE mine.user_id = ? AND theirs.user_id = u.id) AS rel_shared_group
    FROM users u WHERE u.id ${idsIn} ORDER BY u.id`;
}

/** peerRelationsSelect's bind values before the id list. */
export const peerRelationsParams = (userId: string): string[] => Array.from({ length: 8 }, () => userId);

export interface PeerRelationRow {
  peer_id: string;
  rel_friends: number;
  rel_blocking: number;
  rel_blocked_by: number;
  rel_direct: number;
  rel_shared_group: number;
}

export function toPeerRelation(row: PeerRelationRow): PeerRelation {
  return {
    peerId: row.peer_id,
    friends: Boolean(Number(row.rel_friends)),
    blocking: Boolean(Number(row.rel_blocking)),
    blockedBy: Boolean(Number(row.rel_blocked_by)),
    direct: Boolean(Number(row.rel_direct)),
    sharedGroup: Boolean(Number(row.rel_shared_group)),
  };
}
