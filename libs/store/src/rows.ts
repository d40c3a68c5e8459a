import type {
  DirectContext,
  FriendRequestRecord,
  GroupJoinRequestRecord,
  GroupPatch,
  GroupMemberRecord,
  GroupPostContext,
  GroupRecord,
  MemberConversation,
  MessageRange,
  NewMessage,
  PeerRelation,
  ProfilePatch,
  UserRecord,
} from '@parley/domain';
import {
  ParleyError,
  parseConversationId,
  type ConversationType,
  type DmPolicy,
  type GroupRole,
  type RequestStatus,
  type Message,
  type MessageBody,
  type MessageKind,
} from '@parley/protocol';

/*
 * Row shapes as both engines return them (snake_case columns, integers as
 * numbers) and their mapping to the port's records. Engines select exactly
 * these columns so the mapping lives once.
 */

export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  avatar_url: string | null;
  bio: string | null;
  password_hash: string;
  dm_policy: string;
  created_at: number;
}

export const USER_COLUMNS = 'id, username, display_name, avatar_url, bio, password_hash, dm_policy, created_at';

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

export function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    avatarUrl: row.avatar_url,
    bio: row.bio,
    passwordHash: row.password_hash,
    dmPolicy: row.dm_policy as DmPolicy,
    createdAt: Number(row.created_at),
  };
}

export interface GroupRow {
  id: string;
  name: string;
  owner_id: string;
  announcement: string | null;
  mute_all: number;
  is_public: number;
  join_approval: number;
  member_count: number;
  created_at: number;
}

export function toGroup(row: GroupRow): GroupRecord {
  return {
    id: row.id,
    name: row.name,
    ownerId: row.owner_id,
    announcement: row.announcement,
    muteAll: Boolean(row.mute_all),
    isPublic: Boolean(row.is_public),
    joinApproval: Boolean(row.join_approval),
    memberCount: Number(row.member_count),
    createdAt: Number(row.created_at),
  };
}

export interface GroupMemberRow {
  group_id: string;
  user_id: string;
  role: string;
  joined_at: number;
  muted_until: number | null;
}

export const GROUP_MEMBER_COLUMNS = 'group_id, user_id, role, joined_at, muted_until';

export function toGroupMember(row: GroupMemberRow): GroupMemberRecord {
  return {
    groupId: row.group_id,
    userId: row.user_id,
    role: row.role as GroupRole,
    joinedAt: Number(row.joined_at),
    mutedUntil: row.muted_until === null ? null : Number(row.muted_until),
  };
}

/**
 * What posting to a group needs, in one round trip: mute-all and the
 * poster's membership (columns null when not a member). What follows
 * SELECT; bind: user id, group id. No row: no such group.
 */
export const GROUP_POST_CONTEXT_BODY = `g.mute_all, gm.group_id, gm.user_id, gm.role, gm.joined_at, gm.muted_until
  FROM \`groups\` g LEFT JOIN group_members gm ON gm.group_id = g.id AND gm.user_id = ?
  WHERE g.id = ?`;

export const GROUP_POST_CONTEXT_SELECT = `SELECT ${GROUP_POST_CONTEXT_BODY}`;

/** The member columns are all null when the poster is not a member. */
export type GroupPostContextRow = { mute_all: number } & (GroupMemberRow | { [K in keyof GroupMemberRow]: null });

export function toGroupPostContext(row: GroupPostContextRow): GroupPostContext {
  const muteAll = Boolean(Number(row.mute_all));
  return row.user_id === null ? { muteAll, member: null } : { muteAll, member: toGroupMember(row) };
}

/** Group columns (alias `g`) without the member count, which each dialect computes in its GROUP_SELECT. */
export const GROUP_COLUMNS_G = 'g.id, g.name, g.owner_id, g.announcement, g.mute_all, g.is_public, g.join_approval, g.created_at';

/** SET clause (empty when nothing changes) and its values for a group patch. */
export function groupPatchSql(patch: GroupPatch): { sets: string; params: (string | number | null)[] } {
  const columns: [keyof GroupPatch, string][] = [
    ['name', 'name'],
    ['announcement', 'announcement'],
    ['muteAll', 'mute_all'],
    ['isPublic', 'is_public'],
    ['joinApproval', 'join_approval'],
  ];
  const present = columns.filter(([key]) => patch[key] !== undefined);
  return {
    sets: present.map(([, column]) => `${column} = ?`).join(', '),
    params: present.map(([key]) => {
      const value = patch[key];
      return typeof value === 'boolean' ? Number(value) : (value ?? null);
    }),
  };
}

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

export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number;
  sender_id: string;
  kind: string;
  body: string;
  client_msg_id: string;
  created_at: number;
}

export const MESSAGE_COLUMNS = 'id, conversation_id, seq, sender_id, kind, body, client_msg_id, created_at';
/** MESSAGE_COLUMNS qualified with the alias `m`, for joins. */
export const MESSAGE_COLUMNS_M = MESSAGE_COLUMNS.split(', ')
  .map((c) => `m.${c}`)
  .join(', ');

/** Values in MESSAGE_COLUMNS order. */
export function messageValues(m: Message): (string | number)[] {
  return [m.id, m.conversationId, m.seq, m.senderId, m.kind, JSON.stringify(m.body), m.clientMsgId, m.createdAt];
}

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    seq: Number(row.seq),
    senderId: row.sender_id,
    kind: row.kind as MessageKind,
    body: JSON.parse(row.body) as MessageBody,
    clientMsgId: row.client_msg_id,
    createdAt: Number(row.created_at),
  };
}

export interface MemberConversationRow {
  conversation_id: string;
  type: string;
  group_id: string | null;
  peer_id: string | null;
  peer_read_seq: number | null;
  last_seq: number;
  delivered_seq: number;
  read_seq: number;
  last_message_at: number | null;
}

/**
 * One conversation seen by member `?` (bind the user id twice: peer lookup,
 * then the member filter). Shared by both dialects: plain SQL only.
 */
export const MEMBER_CONVERSATION_SELECT = `
  SELECT c.id AS conversation_id, c.type, c.group_id, c.last_seq, c.last_message_at,
         cm.delivered_seq, cm.read_seq,
         CASE WHEN c.type = 'direct' THEN (
           SELECT o.user_id FROM conversation_members o
           WHERE o.conversation_id = c.id AND o.user_id <> ? LIMIT 1
         ) END AS peer_id,
         CASE WHEN c.type = 'direct' THEN (
           SELECT o.read_seq FROM conversation_members o
           WHERE o.conversation_id = c.id AND o.user_id <> cm.user_id LIMIT 1
         ) END AS peer_read_seq
  FROM conversation_members cm
  JOIN conversations c ON c.id = cm.conversation_id
  WHERE cm.user_id = ?`;

/** Most recent activity first; conversations without messages last. */
export const MEMBER_CONVERSATION_ORDER = 'ORDER BY c.last_message_at IS NULL, c.last_message_at DESC, c.id';

export function toMemberConversation(row: MemberConversationRow): MemberConversation {
  return {
    conversationId: row.conversation_id,
    type: row.type as ConversationType,
    groupId: row.group_id,
    peerId: row.peer_id,
    peerReadSeq: row.peer_read_seq === null ? null : Number(row.peer_read_seq),
    lastSeq: Number(row.last_seq),
    deliveredSeq: Number(row.delivered_seq),
    readSeq: Number(row.read_seq),
    lastMessageAt: row.last_message_at === null ? null : Number(row.last_message_at),
  };
}

/**
 * WHERE/ORDER clause for a history range, shared by both dialects. Without
 * afterSeq the newest page is taken (descending) and the caller reverses it,
 * so results are always ascending by seq.
 */
/**
 * The first `limit` messages after a seq, for several conversations in one
 * statement; each row carries the `range_index` of its entry. Bind
 * conversation id, seq and limit per entry.
 */
export function messagesAfterSelect(entries: number): string {
  return Array.from(
    { length: entries },
    (_, i) => `(SELECT ${i} AS range_index, ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?)`,
  ).join('\nUNION ALL ');
}

/** Splits messagesAfterSelect's rows into one seq-ordered page per entry. */
export function pagesByRange(entries: number, rows: readonly (MessageRow & { range_index: number })[]): Message[][] {
  const pages: Message[][] = Array.from({ length: entries }, () => []);
  for (const row of rows) pages[Number(row.range_index)]?.push(toMessage(row));
  for (const page of pages) page.sort((x, y) => x.seq - y.seq);
  return pages;
}

export function messageRangeSql(range: MessageRange): { where: string; params: number[]; descending: boolean } {
  const clauses = ['conversation_id = ?'];
  const params: number[] = [];
  if (range.afterSeq !== undefined) {
    clauses.push('seq > ?');
    params.push(range.afterSeq);
  }
  if (range.beforeSeq !== undefined) {
    clauses.push('seq < ?');
    params.push(range.beforeSeq);
  }
  return { where: clauses.join(' AND '), params, descending: range.afterSeq === undefined };
}

/** SET clause (empty when nothing changes) and its values for a profile patch. */
export function profilePatchSql(patch: ProfilePatch): { sets: string; params: (string | null)[] } {
  const columns: [keyof ProfilePatch, string][] = [
    ['displayName', 'display_name'],
    ['avatarUrl', 'avatar_url'],
    ['bio', 'bio'],
    ['dmPolicy', 'dm_policy'],
  ];
  const present = columns.filter(([key]) => patch[key] !== undefined);
  return {
    sets: present.map(([, column]) => `${column} = ?`).join(', '),
    params: present.map(([key]) => patch[key] ?? null),
  };
}

/** `%query%` for LIKE with `!` as the escape character (same in both dialects). */
export function likeContains(query: string): string {
  return `%${query.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/** Members a new conversation starts with, owner/sender first, without duplicates. */
export function uniqueIds(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/** The group a new group conversation belongs to, read from its id (`g:<groupId>`). */
export function conversationGroupId(message: NewMessage): string | null {
  if (message.conversationType !== 'group') return null;
  const ref = parseConversationId(message.conversationId);
  if (ref?.type !== 'group') throw new ParleyError('INVALID_ARGUMENT', 'malformed group conversation id');
  return ref.groupId;
}
