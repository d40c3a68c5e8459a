import type { AppendResult, NewMessage } from '@parley/domain';
import type { Message } from '@parley/protocol';
import { must } from '@parley/util';
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { settle, type Outcome } from '../batch-queue';
import {
  MESSAGE_COLUMNS,
  MESSAGE_SELECT,
  QUOTE_SOURCE_SELECT,
  conversationGroupId,
  mentionRows,
  messageValues,
  storedMessage,
  toMessage,
  withQuote,
  type MessageRow,
} from '../rows/messages';
import { searchTextOf, searchTokensOf } from '../rows/search';
import { uniqueIds } from '../rows/sql';
import { isDuplicateKey, toStoreError } from './errors';
import type { MysqlPool } from './pool';
import { BEGIN, COMMIT, send, type Statement } from './script';

/*
 * appendMessage on MySQL: a batch of messages in one transaction (the group
 * commit of MysqlStore), and the one-message transaction it falls back to.
 *
 * Round trips: a transaction is two multi-statement packets (BEGIN, seq bump
 * and read; then the inserts, cursors and COMMIT), because on loopback each
 * round trip costs both processes more CPU than the statements themselves.
 * The pool given here must allow multiple statements.
 *
 * Seqs: a conversation's last_seq is bumped under its row lock, which is held
 * until COMMIT, so within a conversation seqs grow in commit order, within a
 * batch and across batches. A batch locks its conversations in one statement
 * in sorted id order, so concurrent batches cannot deadlock on them.
 */

const keyOf = (m: { senderId: string; clientMsgId: string }): string => `${m.senderId}\u0000${m.clientMsgId}`;

/**
 * Appends a batch; one outcome per message, in order. A batch of one runs
 * the one-message transaction.
 *
 * The batch first runs optimistically, without looking for messages already
 * stored: retries are rare, and the unique key catches them. When the key
 * does, the batch runs once more, looking first. When a batch fails for
 * another reason than an unreachable database (a foreign key of one
 * message), its messages run again one by one so one bad message cannot fail
 * the others. An unreachable database throws UNAVAILABLE for the whole batch.
 */
export async function appendMessages(pool: MysqlPool, messages: readonly NewMessage[]): Promise<Outcome<AppendResult>[]> {
  const only = messages.length === 1 ? messages[0] : undefined;
  if (only) return [await settle(appendOne(pool, only))];
  for (const lookForStored of [false, true]) {
    try {
      const results = await pool.scriptedTransaction((conn) => appendBatch(conn, messages, lookForStored));
      return results.map((value) => ({ ok: true, value }));
    } catch (err) {
      const error = toStoreError(err);
      if (error.code === 'UNAVAILABLE') throw error;
      if (!isDuplicateKey(err, 'uq_messages_client')) break;
    }
  }
  const outcomes: Outcome<AppendResult>[] = [];
  for (const message of messages) {
    const outcome = await settle(appendOne(pool, message));
    outcomes.push(outcome);
    // The database went away meanwhile: don't make the rest wait for it one by one.
    if (!outcome.ok && toStoreError(outcome.error).code === 'UNAVAILABLE') {
      while (outcomes.length < messages.length) outcomes.push(outcome);
      break;
    }
  }
  return outcomes;
}

/** One message in its own transaction. */
export async function appendOne(pool: MysqlPool, message: NewMessage): Promise<AppendResult> {
  try {
    return await pool.scriptedTransaction((conn) =>
      appendBatch(conn, [message], false).then((results) => must(results[0], 'the result of a one-message batch')),
    );
  } catch (err) {
    // Stored before (a retry), or a concurrent send with the same clientMsgId committed first: answer with it.
    if (isDuplicateKey(err, 'uq_messages_client')) {
      const original = await pool.withConnection(async (conn) => foundMessages((await send(conn, [findStored([message])]))[0]));
      const found = original.get(keyOf(message));
      if (found) return { message: found, duplicate: true };
    }
    throw toStoreError(err);
  }
}

/**
 * One batch as one transaction: BEGIN, COMMIT and everything between, in
 * two packets (three when looking for stored messages first). Without
 * `lookForStored`, a message stored before fails the batch on the unique
 * key. On failure the caller rolls back.
 */
async function appendBatch(conn: PoolConnection, messages: readonly NewMessage[], lookForStored: boolean): Promise<AppendResult[]> {
  // The first message of each (sender, clientMsgId) speaks for the later ones of the batch.
  const firstIndex = new Map<string, number>();
  const leaders: NewMessage[] = [];
  messages.forEach((m, i) => {
    if (firstIndex.has(keyOf(m))) return;
    firstIndex.set(keyOf(m), i);
    leaders.push(m);
  });
  let opening: Statement[] = [BEGIN];
  let existing = new Map<string, Message>();
  if (lookForStored) {
    existing = foundMessages((await send(conn, [BEGIN, findStored(leaders)]))[1]);
    opening = [];
  }
  const fresh = leaders.filter((m) => !existing.has(keyOf(m)));
  const stored = new Map<string, Message>();
  if (fresh.length === 0) {
    await send(conn, [COMMIT]);
  } else {
    const plan = planSeqs(fresh);
    const results = await send(conn, [...opening, bumpConversations(plan), readLastSeqs(plan)]);
    const lastSeqs = new Map((results[results.length - 1] as RowDataPacket[]).map((r) => [String(r.id), Number(r.last_seq)]));
    const seqs = seqsBefore(plan, lastSeqs);
    const rows = fresh.map((m): Message => {
      // In queue order within a conversation.
      const seq = must(seqs.get(m.conversationId), 'the seq of a planned conversation') + 1;
      seqs.set(m.conversationId, seq);
      const message = storedMessage(m, seq);
      stored.set(keyOf(m), message);
      return message;
    });
    const members = newConversationMembers(plan, lastSeqs);
    const mentions = mentionRows(rows);
    const quoted = [...new Set(rows.flatMap((m) => (m.replyTo === undefined ? [] : [m.replyTo])))];
    const written = await send(conn, [
      ...(members ? [members] : []),
      { sql: `INSERT INTO messages (${MESSAGE_COLUMNS}, search_tokens) VALUES ?`, params: [rows.map(appendValues)] },
      ...(mentions.length > 0 ? [{ sql: 'INSERT INTO message_mentions (conversation_id, seq, user_id) VALUES ?', params: [mentions] }] : []),
      advanceSenderCursors(rows),
      // Replies answer with their quote: the targets' current state, read under the same snapshot.
      ...(quoted.length > 0 ? [{ sql: `${QUOTE_SOURCE_SELECT} IN (?)`, params: [quoted] }] : []),
      COMMIT,
    ]);
    if (quoted.length > 0) {
      const sources = new Map((written[written.length - 2] as (MessageRow & RowDataPacket)[]).map((row) => [row.id, row]));
      for (const [key, message] of stored) if (message.replyTo !== undefined) stored.set(key, withQuote(message, sources.get(message.replyTo)));
    }
  }
  return messages.map((m, i): AppendResult => {
    const original = existing.get(keyOf(m));
    if (original) return { message: original, duplicate: true };
    const message = stored.get(keyOf(m));
    if (!message) throw new Error('appendBatch: message neither found nor stored');
    return { message, duplicate: firstIndex.get(keyOf(m)) !== i };
  });
}

/** A message's row values: the columns of both engines, then the bigram words only MySQL keeps (rows/search.ts). */
function appendValues(m: Message): (string | number | null)[] {
  const searchText = searchTextOf(m.kind, m.body);
  return [...messageValues(m, searchText), searchTokensOf(searchText)];
}

/** Already stored messages with the same (sender, clientMsgId), in their current state. */
function findStored(messages: readonly NewMessage[]): Statement {
  // OR of equalities on the unique key: a range scan of exactly those entries on MySQL and MariaDB.
  const where = messages.map(() => '(m.sender_id = ? AND m.client_msg_id = ?)').join(' OR ');
  return {
    sql: `${MESSAGE_SELECT} WHERE ${where}`,
    params: messages.flatMap((m) => [m.senderId, m.clientMsgId]),
  };
}

function foundMessages(result: unknown): Map<string, Message> {
  const found = new Map<string, Message>();
  for (const row of result as (MessageRow & RowDataPacket)[]) {
    const message = toMessage(row);
    found.set(keyOf(message), message);
  }
  return found;
}

/** A conversation's messages of the batch, in queue order; a conversation is planned for its first one. */
type ConversationMessages = [NewMessage, ...NewMessage[]];

/** A batch's messages by conversation, conversations in lock order. */
interface SeqPlan {
  /** Sorted by conversation id: every batch takes its row locks in the same order. */
  conversations: ConversationMessages[];
  /** Their ids, in the same order. */
  ids: string[];
}

function planSeqs(messages: readonly NewMessage[]): SeqPlan {
  const byConversation = new Map<string, ConversationMessages>();
  for (const m of messages) {
    const list = byConversation.get(m.conversationId);
    if (list) list.push(m);
    else byConversation.set(m.conversationId, [m]);
  }
  const conversations = [...byConversation.values()].sort((a, b) => cmp(a[0].conversationId, b[0].conversationId));
  return { conversations, ids: conversations.map((list) => list[0].conversationId) };
}

/**
 * Bumps each conversation's last_seq by its number of messages; a new
 * conversation is inserted with last_seq = n. The bumped rows stay locked
 * until COMMIT, so a racing first message waits on our lock, then bumps the
 * seq itself.
 */
function bumpConversations(plan: SeqPlan): Statement {
  const rows = plan.conversations.map((list) => {
    const first = list[0];
    const lastAt = Math.max(...list.map((m) => m.createdAt));
    return [first.conversationId, first.conversationType, conversationGroupId(first), list.length, lastAt, first.createdAt];
  });
  return {
    sql: `INSERT INTO conversations (id, type, group_id, last_seq, last_message_at, created_at) VALUES ?
     ON DUPLICATE KEY UPDATE last_seq = last_seq + VALUES(last_seq),
       last_message_at = GREATEST(COALESCE(last_message_at, 0), VALUES(last_message_at))`,
    params: [rows],
  };
}

/** Our own uncommitted bumps are visible to this read, and the row locks keep others out. */
function readLastSeqs(plan: SeqPlan): Statement {
  return { sql: 'SELECT id, last_seq FROM conversations WHERE id IN (?)', params: [plan.ids] };
}

/** Each conversation's last seq before this batch: its messages of the batch count up from there. */
function seqsBefore(plan: SeqPlan, lastSeqs: ReadonlyMap<string, number>): Map<string, number> {
  const before = new Map<string, number>();
  for (const list of plan.conversations) {
    const id = list[0].conversationId;
    const last = lastSeqs.get(id);
    if (last === undefined) throw new Error(`appendBatch: conversation ${id} missing after upsert`);
    before.set(id, last - list.length);
  }
  return before;
}

/** Members of the conversations this batch created: last_seq equal to the batch's count means new. */
function newConversationMembers(plan: SeqPlan, lastSeqs: ReadonlyMap<string, number>): Statement | undefined {
  const rows: [string, string][] = [];
  for (const list of plan.conversations) {
    const { conversationId: id, memberIds } = list[0];
    if (lastSeqs.get(id) !== list.length) continue;
    for (const userId of uniqueIds(memberIds).sort()) rows.push([id, userId]);
  }
  if (rows.length === 0) return undefined;
  return {
    sql: 'INSERT INTO conversation_members (conversation_id, user_id) VALUES ? ON DUPLICATE KEY UPDATE user_id = user_id',
    params: [rows],
  };
}

/** The sender has seen what they sent: delivered/read cursors up to their latest seq, members only. */
function advanceSenderCursors(messages: readonly Message[]): Statement {
  const latest = new Map<string, { conversationId: string; userId: string; seq: number }>();
  for (const m of messages) {
    const key = `${m.conversationId}\u0000${m.senderId}`;
    const current = latest.get(key);
    if (!current || current.seq < m.seq) latest.set(key, { conversationId: m.conversationId, userId: m.senderId, seq: m.seq });
  }
  const cursors = [...latest.values()].sort((a, b) =>
    a.conversationId === b.conversationId ? cmp(a.userId, b.userId) : cmp(a.conversationId, b.conversationId),
  );
  const only = cursors.length === 1 ? cursors[0] : undefined;
  if (only) {
    const { conversationId, userId, seq } = only;
    return {
      sql: `UPDATE conversation_members SET delivered_seq = GREATEST(delivered_seq, ?), read_seq = GREATEST(read_seq, ?)
       WHERE conversation_id = ? AND user_id = ?`,
      params: [seq, seq, conversationId, userId],
    };
  }
  // Ids compared as utf8mb4_bin, the columns' collation, so the join uses the primary key.
  const select = cursors
    .map((_, i) =>
      i === 0
        ? 'SELECT ? COLLATE utf8mb4_bin AS conversation_id, ? COLLATE utf8mb4_bin AS user_id, ? AS seq'
        : 'SELECT ? COLLATE utf8mb4_bin, ? COLLATE utf8mb4_bin, ?',
    )
    .join(' UNION ALL ');
  return {
    sql: `UPDATE conversation_members cm JOIN (${select}) x ON cm.conversation_id = x.conversation_id AND cm.user_id = x.user_id
     SET cm.delivered_seq = GREATEST(cm.delivered_seq, x.seq), cm.read_seq = GREATEST(cm.read_seq, x.seq)`,
    params: cursors.flatMap((c) => [c.conversationId, c.userId, c.seq]),
  };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
