import type { AppendResult, NewMessage } from '@parley/domain';
import type { Message } from '@parley/protocol';
import { must } from '@parley/util';
import { raw, type PoolConnection, type RowDataPacket } from 'mysql2/promise';
import { settle, type Outcome } from '../batch-queue';
import {
  MESSAGE_COLUMNS,
  MESSAGE_SELECT,
  QUOTE_SOURCE_SELECT,
  conversationGroupId,
  mentionsOf,
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
import { KnownConversations } from './known-conversations';
import { BEGIN, COMMIT, send, type Statement } from './script';

/*
 * appendMessage on MySQL: a batch of messages in one transaction (the group
 * commit of MysqlStore), and the one-message transaction it falls back to.
 *
 * Round trips: a transaction is one multi-statement packet, BEGIN to
 * COMMIT, because on loopback each round trip costs both processes more CPU
 * (and the message more latency) than the statements themselves. The pool
 * given here must allow multiple statements.
 *
 * Seqs: a conversation's last_seq is bumped under its row lock, which is held
 * until COMMIT, so within a conversation seqs grow in commit order, within a
 * batch and across batches. A batch locks its conversations in one statement
 * in sorted id order, so concurrent batches cannot deadlock on them. The
 * server keeps each bumped last_seq in a session variable for the rows that
 * follow in the same packet (SeqSlot); the packet also reads them back, so
 * the acks carry the same seqs.
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
export async function appendMessages(
  pool: MysqlPool,
  messages: readonly NewMessage[],
  known = new KnownConversations(),
): Promise<Outcome<AppendResult>[]> {
  const only = messages.length === 1 ? messages[0] : undefined;
  if (only) return [await settle(appendOne(pool, only, known))];
  for (const lookForStored of [false, true]) {
    try {
      const results = await pool.scriptedTransaction((conn) => appendBatch(conn, messages, lookForStored, known));
      return results.map((value) => ({ ok: true, value }));
    } catch (err) {
      const error = toStoreError(err);
      if (error.code === 'UNAVAILABLE') throw error;
      if (!isDuplicateKey(err, 'uq_messages_client')) break;
    }
  }
  const outcomes: Outcome<AppendResult>[] = [];
  for (const message of messages) {
    const outcome = await settle(appendOne(pool, message, known));
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
export async function appendOne(pool: MysqlPool, message: NewMessage, known = new KnownConversations()): Promise<AppendResult> {
  try {
    return await pool.scriptedTransaction((conn) =>
      appendBatch(conn, [message], false, known).then((results) => must(results[0], 'the result of a one-message batch')),
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
 * one packet (two when looking for stored messages first). Without
 * `lookForStored`, a message stored before fails the batch on the unique
 * key. On failure the caller rolls back.
 */
async function appendBatch(
  conn: PoolConnection,
  messages: readonly NewMessage[],
  lookForStored: boolean,
  known: KnownConversations,
): Promise<AppendResult[]> {
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
    const quoted = [...new Set(fresh.flatMap((m) => (m.replyTo === undefined ? [] : [m.replyTo])))];
    const members = newConversationMembers(plan, known);
    const mentions = mentionValues(fresh, plan);
    const seqRead = readLastSeqs(plan);
    const quoteRead: Statement | undefined = quoted.length > 0 ? { sql: `${QUOTE_SOURCE_SELECT} IN (?)`, params: [quoted] } : undefined;
    const statements: Statement[] = [
      ...opening,
      bumpConversations(plan),
      bindLastSeqs(plan),
      ...(members ? [members] : []),
      { sql: `INSERT INTO messages (${MESSAGE_COLUMNS}, search_tokens) VALUES ?`, params: [fresh.map((m) => appendValues(m, plan))] },
      ...(mentions.length > 0 ? [{ sql: 'INSERT INTO message_mentions (conversation_id, seq, user_id) VALUES ?', params: [mentions] }] : []),
      advanceSenderCursors(fresh, plan),
      seqRead,
      // Replies answer with their quote: the targets' current state, read under the same snapshot.
      ...(quoteRead ? [quoteRead] : []),
      COMMIT,
    ];
    const results = await send(conn, statements);
    known.add(plan.ids);
    const seqRow = must((results[statements.indexOf(seqRead)] as RowDataPacket[])[0], 'the row of the seq variables');
    const lastSeqs = new Map(plan.ids.map((id, i) => [id, Number(seqRow[`seq_${i}`])]));
    const sources = quoteRead && new Map((results[statements.indexOf(quoteRead)] as (MessageRow & RowDataPacket)[]).map((row) => [row.id, row]));
    for (const m of fresh) {
      const slot = slotOf(plan, m);
      const last = lastSeqs.get(m.conversationId);
      if (last === undefined || !Number.isInteger(last)) throw new Error(`appendBatch: conversation ${m.conversationId} missing after upsert`);
      const message = storedMessage(m, last - slot.offset);
      stored.set(keyOf(m), sources ? withQuote(message, sources.get(message.replyTo ?? '')) : message);
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

/** A message's row values: the columns of both engines (its seq the server's, SeqSlot), then the bigram words only MySQL keeps (rows/search.ts). */
function appendValues(m: NewMessage, plan: SeqPlan): unknown[] {
  const searchText = searchTextOf(m.kind, m.body);
  return [...messageValues(storedMessage(m, 0), searchText, seqSql(slotOf(plan, m))), searchTokensOf(searchText)];
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

/**
 * Where a message's seq comes from inside the packet: the session variable
 * holding its conversation's last_seq after this batch's bump, less the
 * messages of the batch that follow it in that conversation.
 */
interface SeqSlot {
  variable: string;
  offset: number;
}

/** A batch's messages by conversation, conversations in lock order. */
interface SeqPlan {
  /** Sorted by conversation id: every batch takes its row locks in the same order. */
  conversations: ConversationMessages[];
  /** Their ids, in the same order. */
  ids: string[];
  /** Each message's slot. */
  slots: Map<NewMessage, SeqSlot>;
}

function planSeqs(messages: readonly NewMessage[]): SeqPlan {
  const byConversation = new Map<string, ConversationMessages>();
  for (const m of messages) {
    const list = byConversation.get(m.conversationId);
    if (list) list.push(m);
    else byConversation.set(m.conversationId, [m]);
  }
  const conversations = [...byConversation.values()].sort((a, b) => cmp(a[0].conversationId, b[0].conversationId));
  const slots = new Map<NewMessage, SeqSlot>();
  conversations.forEach((list, i) => list.forEach((m, k) => slots.set(m, { variable: `@parley_seq_${i}`, offset: list.length - 1 - k })));
  return { conversations, ids: conversations.map((list) => list[0].conversationId), slots };
}

function slotOf(plan: SeqPlan, m: NewMessage): SeqSlot {
  return must(plan.slots.get(m), 'the seq slot of a planned message');
}

/** A seq as the server computes it, written into the statement as is (never user input). */
function seqSql(slot: SeqSlot): ReturnType<typeof raw> {
  return raw(slot.offset === 0 ? slot.variable : `${slot.variable} - ${slot.offset}`);
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

/**
 * Each conversation's bumped last_seq into its slot's variable. Our own
 * uncommitted bumps are visible here, and the row locks keep others out. An
 * aggregate always answers one row, so a missing conversation sets NULL
 * (and the NOT NULL seq refuses the insert) rather than leaving a variable
 * from an earlier batch on this connection.
 */
function bindLastSeqs(plan: SeqPlan): Statement {
  const columns = plan.ids.map(() => 'MAX(IF(id = ?, last_seq, NULL))').join(', ');
  const variables = plan.ids.map((_, i) => `@parley_seq_${i}`).join(', ');
  return { sql: `SELECT ${columns} INTO ${variables} FROM conversations WHERE id IN (?)`, params: [...plan.ids, plan.ids] };
}

/** The bumped last_seqs, for the acks: the variables themselves, one column per conversation (`seq_<i>`). */
function readLastSeqs(plan: SeqPlan): Statement {
  return { sql: `SELECT ${plan.ids.map((_, i) => `@parley_seq_${i} AS seq_${i}`).join(', ')}`, params: [] };
}

/**
 * Members of the conversations this batch creates: last_seq equal to the
 * batch's count after the bump means the bump inserted the row. Known
 * conversations exist already and are left out.
 */
function newConversationMembers(plan: SeqPlan, known: KnownConversations): Statement | undefined {
  const rows: string[] = [];
  const params: unknown[] = [];
  plan.conversations.forEach((list, i) => {
    const { conversationId: id, memberIds } = list[0];
    if (known.has(id)) return;
    for (const userId of uniqueIds(memberIds).sort()) {
      rows.push(`SELECT ? AS c, ? AS u, @parley_seq_${i} = ? AS created`);
      params.push(id, userId, list.length);
    }
  });
  if (rows.length === 0) return undefined;
  return {
    sql: `INSERT INTO conversation_members (conversation_id, user_id)
     SELECT x.c, x.u FROM (${rows.join(' UNION ALL ')}) x WHERE x.created
     ON DUPLICATE KEY UPDATE user_id = user_id`,
    params,
  };
}

/** message_mentions rows: [conversation_id, seq, user_id]. */
function mentionValues(messages: readonly NewMessage[], plan: SeqPlan): unknown[][] {
  return messages.flatMap((m) => (mentionsOf(m) ?? []).map((userId) => [m.conversationId, seqSql(slotOf(plan, m)), userId]));
}

/** The sender has seen what they sent: delivered/read cursors up to their latest seq, members only. */
function advanceSenderCursors(messages: readonly NewMessage[], plan: SeqPlan): Statement {
  // Queue order is seq order within a conversation: the last message of a sender is their latest.
  const latest = new Map<string, { conversationId: string; userId: string; seq: ReturnType<typeof raw> }>();
  for (const m of messages) {
    latest.set(`${m.conversationId}\u0000${m.senderId}`, { conversationId: m.conversationId, userId: m.senderId, seq: seqSql(slotOf(plan, m)) });
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
