import { StoreError, type MemberConversation, type MessageRange, type NewMessage } from '@parley/domain';
import { parseConversationId, type ConversationType, type Message, type MessageBody, type MessageKind } from '@parley/protocol';

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

/** The last message of each conversation whose id matches `idsIn` (the engine's list test). */
export const lastMessagesSelect = (idsIn: string): string =>
  `SELECT ${MESSAGE_COLUMNS_M} FROM conversations c JOIN messages m ON m.conversation_id = c.id AND m.seq = c.last_seq
   WHERE c.id ${idsIn}`;

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

/**
 * WHERE/ORDER clause for a history range, shared by both dialects. Without
 * afterSeq the newest page is taken (descending) and the caller reverses it,
 * so results are always ascending by seq.
 */
function messageRangeSql(range: MessageRange): { where: string; params: number[]; descending: boolean } {
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

/** A history page's statement (LIMIT bound last) and whether its rows come newest first. */
export function messageRangeSelect(range: MessageRange): { sql: string; params: number[]; descending: boolean } {
  const { where, params, descending } = messageRangeSql(range);
  return {
    sql: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${where} ORDER BY seq ${descending ? 'DESC' : 'ASC'} LIMIT ?`,
    params,
    descending,
  };
}

/** The message stored under (sender, clientMsgId); bind both. */
export const MESSAGE_BY_CLIENT_ID_SELECT = `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE sender_id = ? AND client_msg_id = ?`;

/** The group a new group conversation belongs to, read from its id (`g:<groupId>`). */
export function conversationGroupId(message: NewMessage): string | null {
  if (message.conversationType !== 'group') return null;
  const ref = parseConversationId(message.conversationId);
  if (ref?.type !== 'group') throw new StoreError('malformed-conversation-id');
  return ref.groupId;
}
