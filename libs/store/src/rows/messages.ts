import { StoreError, type ConversationDigest, type MemberConversation, type MessageRange, type NewMessage } from '@parley/domain';
import {
  QUOTE_SNIPPET_LENGTH,
  parseConversationId,
  type ConversationType,
  type Message,
  type MessageBody,
  type MessageChange,
  type MessageKind,
  type NotifyMode,
  type Quote,
  type Reaction,
} from '@parley/protocol';
import { uniqueIds } from './sql';
import { searchTextOf } from './search';

/*
 * Messages as both engines store and read them. A row holds a message's
 * current state (body after edits, edited_at, recalled_at, mentions and the
 * reactions as JSON, so a page is read by one statement); a reply's quote
 * comes from a self-join on reply_to in the same statement.
 */

/** What every read selects: the message and its reply target's current state. */
export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number;
  sender_id: string;
  kind: string;
  body: string;
  client_msg_id: string;
  created_at: number;
  reply_to: string | null;
  mentions: string | null;
  edited_at: number | null;
  recalled_at: number | null;
  change_json: string | null;
  reactions: string | null;
  quote_sender_id: string | null;
  quote_kind: string | null;
  quote_body: string | null;
  quote_recalled_at: number | null;
}

/** The columns appendMessage writes (MySQL adds search_tokens). */
export const MESSAGE_COLUMNS = 'id, conversation_id, seq, sender_id, kind, body, client_msg_id, created_at, reply_to, mentions, search_text';

/**
 * Values in MESSAGE_COLUMNS order (the search text given when the caller
 * computed it already; the seq given when the server computes it, as
 * MySQL's one-packet append does).
 */
export function messageValues<S = number>(
  m: Message,
  searchText: string | null = searchTextOf(m.kind, m.body),
  seq: S | number = m.seq,
): (string | number | null | S)[] {
  return [
    m.id,
    m.conversationId,
    seq,
    m.senderId,
    m.kind,
    JSON.stringify(m.body),
    m.clientMsgId,
    m.createdAt,
    m.replyTo ?? null,
    m.mentions && m.mentions.length > 0 ? JSON.stringify(m.mentions) : null,
    searchText,
  ];
}

const READ_COLUMNS = `m.id, m.conversation_id, m.seq, m.sender_id, m.kind, m.body, m.client_msg_id, m.created_at,
  m.reply_to, m.mentions, m.edited_at, m.recalled_at, m.change_json, m.reactions,
  q.sender_id AS quote_sender_id, q.kind AS quote_kind, q.body AS quote_body, q.recalled_at AS quote_recalled_at`;

/**
 * `SELECT [extra, ]… FROM <from>` with the quote's join; `from` must name
 * the messages row `m`; add WHERE on `m`. The quote is the target's current
 * state whoever sees it: a target deleted for the viewer keeps showing in
 * someone else's reply (it is their message quoting it), recalled shows as
 * recalled. Only a target of the same conversation is quoted.
 */
export function messageSelect(from = 'messages m', extraColumns = ''): string {
  return `SELECT ${extraColumns === '' ? '' : `${extraColumns}, `}${READ_COLUMNS} FROM ${from}
  LEFT JOIN messages q ON q.id = m.reply_to AND q.conversation_id = m.conversation_id`;
}

/** `SELECT … FROM messages m` with the quote's join; add WHERE on `m`. */
export const MESSAGE_SELECT = messageSelect();

/**
 * What `viewer` may see of `alias`: no one else's delete entries, none of the
 * messages they deleted for themselves. Bind the viewer id twice.
 */
export const visibleTo = (alias: string): string =>
  `(${alias}.visible_to IS NULL OR ${alias}.visible_to = ?)
   AND NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.user_id = ? AND h.message_id = ${alias}.id)`;
export const VISIBLE = visibleTo('m');

/** The message's reply target as a quote (null when the target is gone). */
function toQuote(row: MessageRow): Quote | null {
  if (row.reply_to === null || row.quote_kind === null || row.quote_body === null || row.quote_sender_id === null) return null;
  const body = JSON.parse(row.quote_body) as MessageBody;
  const quote: Quote = {
    messageId: row.reply_to,
    senderId: row.quote_sender_id,
    kind: row.quote_kind as MessageKind,
    text: Array.from(body.text).slice(0, QUOTE_SNIPPET_LENGTH).join(''),
  };
  if (body.attachment) quote.attachment = body.attachment;
  if (row.quote_recalled_at !== null) quote.recalled = true;
  return quote;
}

export function toMessage(row: MessageRow): Message {
  const message: Message = {
    id: row.id,
    conversationId: row.conversation_id,
    seq: Number(row.seq),
    senderId: row.sender_id,
    kind: row.kind as MessageKind,
    body: JSON.parse(row.body) as MessageBody,
    clientMsgId: row.client_msg_id,
    createdAt: Number(row.created_at),
  };
  if (row.reply_to !== null) message.replyTo = row.reply_to;
  const quote = toQuote(row);
  if (quote) message.quote = quote;
  if (row.mentions !== null) message.mentions = JSON.parse(row.mentions) as string[];
  if (row.edited_at !== null) message.editedAt = Number(row.edited_at);
  if (row.recalled_at !== null) message.recalled = true;
  if (row.reactions !== null) {
    const reactions = JSON.parse(row.reactions) as Reaction[];
    if (reactions.length > 0) message.reactions = reactions;
  }
  if (row.change_json !== null) message.change = JSON.parse(row.change_json) as MessageChange;
  return message;
}

/** The mentions a new message stores, without duplicates (null: none). */
export function mentionsOf(message: Pick<NewMessage, 'mentions'>): string[] | undefined {
  return message.mentions && message.mentions.length > 0 ? uniqueIds(message.mentions) : undefined;
}

/** A new message as appendMessage answers it (its quote is added from the target's current state). */
export function storedMessage(m: NewMessage, seq: number): Message {
  const message: Message = {
    id: m.id,
    conversationId: m.conversationId,
    seq,
    senderId: m.senderId,
    kind: m.kind,
    body: m.body,
    clientMsgId: m.clientMsgId,
    createdAt: m.createdAt,
  };
  if (m.replyTo !== undefined) message.replyTo = m.replyTo;
  const mentions = mentionsOf(m);
  if (mentions) message.mentions = mentions;
  return message;
}

/** message_mentions rows of stored messages: [conversation_id, seq, user_id]. */
export function mentionRows(messages: readonly Message[]): [string, number, string][] {
  return messages.flatMap((m) => (m.mentions ?? []).map((userId): [string, number, string] => [m.conversationId, m.seq, userId]));
}

/** The quote of `replyTo` read back as a row of MESSAGE_SELECT over the target itself. */
export const QUOTE_SOURCE_SELECT = `SELECT m.id, m.conversation_id, m.sender_id AS quote_sender_id, m.kind AS quote_kind, m.body AS quote_body, m.recalled_at AS quote_recalled_at
  FROM messages m WHERE m.id`;

type QuoteSource = Pick<MessageRow, 'conversation_id' | 'quote_sender_id' | 'quote_kind' | 'quote_body' | 'quote_recalled_at'>;

/** Adds the quote read by QUOTE_SOURCE_SELECT to a stored reply (a target of the same conversation only, as reads do). */
export function withQuote(message: Message, source: QuoteSource | undefined): Message {
  if (!source || message.replyTo === undefined || source.conversation_id !== message.conversationId) return message;
  const quote = toQuote({ ...source, reply_to: message.replyTo } as MessageRow);
  return quote ? { ...message, quote } : message;
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
  notify: string;
  muted_until: number | null;
  pinned_at: number | null;
}

/**
 * A member's view of a conversation, shared by both dialects (plain SQL
 * only). Both subqueries find the other member through `cm`, so one
 * statement can serve many users.
 */
const MEMBER_CONVERSATION_FROM = `
         c.id AS conversation_id, c.type, c.group_id, c.last_seq, c.last_message_at,
         cm.delivered_seq, cm.read_seq, cm.notify, cm.muted_until, cm.pinned_at,
         CASE WHEN c.type = 'direct' THEN (
           SELECT o.user_id FROM conversation_members o
           WHERE o.conversation_id = c.id AND o.user_id <> cm.user_id LIMIT 1
         ) END AS peer_id,
         CASE WHEN c.type = 'direct' THEN (
           SELECT o.read_seq FROM conversation_members o
           WHERE o.conversation_id = c.id AND o.user_id <> cm.user_id LIMIT 1
         ) END AS peer_read_seq
  FROM conversation_members cm
  JOIN conversations c ON c.id = cm.conversation_id`;

/** One member's conversations: bind the user id once; more conditions may follow with AND. */
export const MEMBER_CONVERSATION_SELECT = `SELECT ${MEMBER_CONVERSATION_FROM}
  WHERE cm.user_id = ?`;

/** Pinned first (latest pin first), then most recent activity first; conversations without messages last. */
const MEMBER_CONVERSATION_KEYS = 'cm.pinned_at IS NULL, cm.pinned_at DESC, c.last_message_at IS NULL, c.last_message_at DESC, c.id';
export const MEMBER_CONVERSATION_ORDER = `ORDER BY ${MEMBER_CONVERSATION_KEYS}`;

/** The conversations of the users in `IN (?)`, each row naming its user as `lookup_key`, each user's rows in MEMBER_CONVERSATION_ORDER. */
export const MEMBER_CONVERSATIONS_OF_USERS_SQL = `SELECT cm.user_id AS lookup_key, ${MEMBER_CONVERSATION_FROM}
  WHERE cm.user_id IN (?)
  ORDER BY cm.user_id, ${MEMBER_CONVERSATION_KEYS}`;

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
    notify: row.notify as NotifyMode,
    mutedUntil: row.muted_until === null ? null : Number(row.muted_until),
    pinnedAt: row.pinned_at === null ? null : Number(row.pinned_at),
  };
}

/** One entry's page after a seq (bind range index, conversation id, seq, viewer twice, limit). */
export const MESSAGES_AFTER_SELECT = `${messageSelect('messages m', '? AS range_index')}
  WHERE m.conversation_id = ? AND m.seq > ? AND ${VISIBLE} ORDER BY m.seq LIMIT ?`;

/** The parameters of MESSAGES_AFTER_SELECT for one entry. */
export function messagesAfterParams(index: number, conversationId: string, afterSeq: number, viewerId: string, limit: number): unknown[] {
  return [index, conversationId, afterSeq, viewerId, viewerId, limit];
}

/**
 * The first `limit` messages after a seq, for several conversations in one
 * statement; each row carries the `range_index` of its entry. Bind
 * messagesAfterParams per entry.
 */
export function messagesAfterSelect(entries: number): string {
  return Array.from({ length: entries }, () => `(${MESSAGES_AFTER_SELECT})`).join('\nUNION ALL ');
}

/** Splits messagesAfterSelect's rows into one seq-ordered page per entry. */
export function pagesByRange(entries: number, rows: readonly (MessageRow & { range_index: number })[]): Message[][] {
  const pages: Message[][] = Array.from({ length: entries }, () => []);
  for (const row of rows) pages[Number(row.range_index)]?.push(toMessage(row));
  for (const page of pages) page.sort((x, y) => x.seq - y.seq);
  return pages;
}

/**
 * A history page's statement (bind its params, LIMIT included) and whether
 * its rows come newest first. Without afterSeq the newest page is taken
 * (descending) and the caller reverses it, so results are always ascending.
 */
export function messageRangeSelect(viewerId: string, conversationId: string, range: MessageRange): { sql: string; params: unknown[]; descending: boolean } {
  const clauses = ['m.conversation_id = ?'];
  const params: unknown[] = [conversationId];
  if (range.afterSeq !== undefined) {
    clauses.push('m.seq > ?');
    params.push(range.afterSeq);
  }
  if (range.beforeSeq !== undefined) {
    clauses.push('m.seq < ?');
    params.push(range.beforeSeq);
  }
  clauses.push(VISIBLE);
  params.push(viewerId, viewerId, range.limit);
  const descending = range.afterSeq === undefined;
  return { sql: `${MESSAGE_SELECT} WHERE ${clauses.join(' AND ')} ORDER BY m.seq ${descending ? 'DESC' : 'ASC'} LIMIT ?`, params, descending };
}

/**
 * One message by id and whether `actor` hid it (bind actor, id, actor):
 * no membership filter, another member's delete entry never.
 */
export const MESSAGE_FOR_ACTOR_SELECT = `${messageSelect(
  'messages m',
  'EXISTS (SELECT 1 FROM message_hidden h WHERE h.user_id = ? AND h.message_id = m.id) AS hidden_for_actor',
)} WHERE m.id = ? AND (m.visible_to IS NULL OR m.visible_to = ?)`;

export function toMessageForActor(row: (MessageRow & { hidden_for_actor: number }) | undefined): { message: Message; hiddenForActor: boolean } | null {
  return row ? { message: toMessage(row), hiddenForActor: Number(row.hidden_for_actor) === 1 } : null;
}

/** The message stored under (sender, clientMsgId), in its current state; bind both. */
export const MESSAGE_BY_CLIENT_ID_SELECT = `${MESSAGE_SELECT} WHERE m.sender_id = ? AND m.client_msg_id = ?`;

/** Content messages of the entry's conversation no one should count: hidden for the viewer (bind viewer). */
const notHidden = (alias: string): string =>
  `NOT EXISTS (SELECT 1 FROM message_hidden h WHERE h.user_id = ? AND h.message_id = ${alias}.id)`;

/** Unread counts stop here: a list shows "999+", and a long-unread conversation costs no more to count. */
export const MAX_UNREAD = 1000;

/**
 * One conversation's digest for one viewer, as one row: `idx`, `unread` (at most MAX_UNREAD),
 * `mentioned` (0/1) and the last visible content message's columns (all
 * NULL without one). Plain SQL both dialects run; bind digestParams.
 */
export const DIGEST_SELECT = `SELECT ? AS idx,
  (SELECT COUNT(*) FROM (SELECT 1 FROM messages u
    WHERE u.conversation_id = ? AND u.seq > ? AND u.kind <> 'change' AND u.sender_id <> ? AND u.recalled_at IS NULL
      AND ${notHidden('u')} LIMIT ${MAX_UNREAD}) unread_rows) AS unread,
  CASE WHEN EXISTS (SELECT 1 FROM message_mentions mm JOIN messages u ON u.conversation_id = mm.conversation_id AND u.seq = mm.seq
    WHERE mm.conversation_id = ? AND mm.seq > ? AND mm.user_id IN (?, '@all') AND u.sender_id <> ? AND u.recalled_at IS NULL
      AND ${notHidden('u')}) THEN 1 ELSE 0 END AS mentioned,
  x.*
  FROM (SELECT 1 AS one) d LEFT JOIN (
    ${MESSAGE_SELECT} WHERE m.conversation_id = ? AND m.kind <> 'change' AND ${VISIBLE} ORDER BY m.seq DESC LIMIT 1
  ) x ON 1 = 1`;

export function digestParams(index: number, viewerId: string, conversationId: string, readSeq: number): unknown[] {
  return [
    index,
    ...[conversationId, readSeq, viewerId, viewerId],
    ...[conversationId, readSeq, viewerId, viewerId, viewerId],
    ...[conversationId, viewerId, viewerId],
  ];
}

/** DIGEST_SELECT's row: the counts, and MessageRow's columns, all NULL without a last message. */
export type DigestRow = { idx: number; unread: number; mentioned: number } & {
  [K in keyof MessageRow]: MessageRow[K] | null;
};

export function toDigest(conversationId: string, row: DigestRow | undefined): ConversationDigest {
  return {
    conversationId,
    lastMessage: row && row.id !== null ? toMessage(row as MessageRow) : null,
    unread: row ? Number(row.unread) : 0,
    mentioned: row ? Number(row.mentioned) === 1 : false,
  };
}

/** The group a new group conversation belongs to, read from its id (`g:<groupId>`). */
export function conversationGroupId(message: NewMessage): string | null {
  if (message.conversationType !== 'group') return null;
  const ref = parseConversationId(message.conversationId);
  if (ref?.type !== 'group') throw new StoreError('malformed-conversation-id');
  return ref.groupId;
}
