import { StoreError, type AppendResult, type MessageStore, type NewMessage } from '@parley/domain';
import type { RowDataPacket } from 'mysql2/promise';
import { BatchQueue } from '../batch-queue';
import {
  DIGEST_SELECT,
  MEMBER_CONVERSATION_SELECT,
  MEMBER_CONVERSATIONS_OF_USERS_SQL,
  MESSAGE_BY_CLIENT_ID_SELECT,
  MESSAGE_FOR_ACTOR_SELECT,
  MESSAGE_SELECT,
  VISIBLE,
  digestParams,
  messageRangeSelect,
  messagesAfterParams,
  messagesAfterSelect,
  pagesByRange,
  toDigest,
  toMemberConversation,
  toMessage,
  toMessageForActor,
  type DigestRow,
  type MemberConversationRow,
  type MessageRow,
} from '../rows/messages';
import { mysqlChanges } from './changes';
import { batchedListLookup, SAME_TURN_ONLY } from './batched-lookup';
import type { MysqlConnection } from './connection';
import { KnownConversations } from './known-conversations';
import { appendMessages } from './message-append';
import { mysqlMessageSearch } from './search';

export interface MysqlGroupCommitOptions {
  /**
   * Group commit of appendMessage: most messages stored by one transaction
   * (one multi-row INSERT, one seq bump per conversation). @default 200
   */
  maxBatchSize?: number;
  /**
   * Group commit of appendMessage: transactions of message batches in flight
   * at once. A message waits in the queue only while this many run, so
   * batches form under load by themselves. Each takes a pool connection
   * while it runs. One keeps MariaDB's work per message lowest (fewest,
   * largest batches); see bench/RESULTS.md. @default 1
   */
  maxConcurrentBatches?: number;
  /** Told the size of each batch the group commit writes (parley_store_batch_size). */
  onAppendBatch?: (size: number) => void;
}

/** Conversations, messages and cursors on MySQL; appendMessage is the group commit of message-append.ts. */
export function mysqlMessageStore(conn: MysqlConnection, options: MysqlGroupCommitOptions): MessageStore {
  const maxConcurrentBatches = options.maxConcurrentBatches ?? 1;
  // The group commit's own connections: the only ones allowed multi-statement queries.
  // One connection more than batches: a duplicate's lookup may run beside them.
  const appendPool = conn.openPool({ connectionLimit: maxConcurrentBatches + 1, multipleStatements: true });
  /** Read by every sync and conversation list: a reconnect storm's syncs share one statement per batch. */
  const memberConversations = conn.drainOnClose(
    batchedListLookup(
      conn.pool,
      { sql: MEMBER_CONVERSATIONS_OF_USERS_SQL, toResult: (row) => toMemberConversation(row as MemberConversationRow & RowDataPacket) },
      SAME_TURN_ONLY,
    ),
  );
  const known = new KnownConversations();
  const appends = conn.drainOnClose(
    new BatchQueue<NewMessage, AppendResult>({
      maxBatchSize: options.maxBatchSize ?? 200,
      maxConcurrentBatches,
      lingerMs: conn.lingerMs,
      run: (messages) => appendMessages(appendPool, messages, known),
      closedError: () => new StoreError('closed'),
      onBatch: options.onAppendBatch,
    }),
  );

  return {
    appendMessage: (message) => appends.submit(message),

    async findMessageByClientMsgId(senderId, clientMsgId) {
      const rows = await conn.select<MessageRow>(MESSAGE_BY_CLIENT_ID_SELECT, [senderId, clientMsgId]);
      return rows[0] ? toMessage(rows[0]) : null;
    },

    async getMessages(viewerId, conversationId, range) {
      const { sql, params, descending } = messageRangeSelect(viewerId, conversationId, range);
      const rows = await conn.select<MessageRow>(sql, params);
      if (descending) rows.reverse();
      return rows.map(toMessage);
    },

    async getMessagesAfter(viewerId, ranges, limit) {
      if (ranges.length === 0) return [];
      const rows = await conn.select<MessageRow & { range_index: number }>(
        messagesAfterSelect(ranges.length),
        ranges.flatMap((r, i) => messagesAfterParams(i, r.conversationId, r.afterSeq, viewerId, limit)),
      );
      return pagesByRange(ranges.length, rows);
    },

    async getMessagesByIds(viewerId, ids) {
      if (ids.length === 0) return [];
      const rows = await conn.select<MessageRow>(`${MESSAGE_SELECT} WHERE m.id IN (?) AND ${VISIBLE}`, [ids, viewerId, viewerId]);
      return rows.map(toMessage);
    },

    async getMessageForActor(actorId, messageId) {
      const rows = await conn.select<MessageRow & { hidden_for_actor: number }>(MESSAGE_FOR_ACTOR_SELECT, [actorId, messageId, actorId]);
      return toMessageForActor(rows[0]);
    },

    async getConversationDigests(viewerId, entries) {
      if (entries.length === 0) return [];
      // One statement for all: each entry's digest is one row.
      const rows = await conn.select<DigestRow>(
        entries.map(() => `(${DIGEST_SELECT})`).join('\nUNION ALL '),
        entries.flatMap((e, i) => digestParams(i, viewerId, e.conversationId, e.readSeq)),
      );
      const byIndex = new Map(rows.map((row) => [Number(row.idx), row]));
      return entries.map((e, i) => toDigest(e.conversationId, byIndex.get(i)));
    },

    ...mysqlChanges(conn),
    ...mysqlMessageSearch(conn),

    listMemberConversations: (userId) => memberConversations.submit(userId),

    async getMemberConversation(userId, conversationId) {
      const rows = await conn.select<MemberConversationRow>(`${MEMBER_CONVERSATION_SELECT} AND cm.conversation_id = ?`, [userId, conversationId]);
      return rows[0] ? toMemberConversation(rows[0]) : null;
    },

    async advanceCursor(userId, conversationId, kind, seq) {
      // Read implies delivered: one statement moves both.
      const set =
        kind === 'read'
          ? 'cm.read_seq = GREATEST(cm.read_seq, LEAST(?, c.last_seq)), cm.delivered_seq = GREATEST(cm.delivered_seq, LEAST(?, c.last_seq))'
          : 'cm.delivered_seq = GREATEST(cm.delivered_seq, LEAST(?, c.last_seq))';
      const params = kind === 'read' ? [seq, seq, userId, conversationId] : [seq, userId, conversationId];
      const result = await conn.execute(
        `UPDATE conversation_members cm JOIN conversations c ON c.id = cm.conversation_id SET ${set}
         WHERE cm.user_id = ? AND cm.conversation_id = ?`,
        params,
      );
      // FOUND_ROWS is on (mysql2 default): affectedRows counts matched rows, changed or not.
      if (result.affectedRows === 0) throw new StoreError('not-in-conversation');
    },
  };
}
