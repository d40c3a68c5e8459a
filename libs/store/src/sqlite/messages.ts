import { StoreError, type AppendResult, type MessageStore, type NewMessage } from '@parley/domain';
import type { Message } from '@parley/protocol';
import {
  DIGEST_SELECT,
  MEMBER_CONVERSATION_ORDER,
  MEMBER_CONVERSATION_SELECT,
  MESSAGE_BY_CLIENT_ID_SELECT,
  MESSAGE_COLUMNS,
  MESSAGE_FOR_ACTOR_SELECT,
  MESSAGE_SELECT,
  MESSAGES_AFTER_SELECT,
  QUOTE_SOURCE_SELECT,
  VISIBLE,
  conversationGroupId,
  digestParams,
  mentionRows,
  messageRangeSelect,
  messageValues,
  messagesAfterParams,
  storedMessage,
  toDigest,
  toMemberConversation,
  toMessage,
  toMessageForActor,
  withQuote,
  type DigestRow,
  type MemberConversationRow,
  type MessageRow,
} from '../rows/messages';
import { uniqueIds } from '../rows/sql';
import { sqliteChanges } from './changes';
import { IN_JSON, type SqliteConnection } from './connection';
import { isUniqueViolation } from './errors';
import { sqliteMessageSearch } from './search';

/** Conversations, messages and cursors on SQLite. */
export function sqliteMessageStore(conn: SqliteConnection): MessageStore {
  const findByClientMsgId = (senderId: string, clientMsgId: string): Message | null => {
    const row = conn.get<MessageRow>(MESSAGE_BY_CLIENT_ID_SELECT, senderId, clientMsgId);
    return row ? toMessage(row) : null;
  };

  const appendInTransaction = (message: NewMessage): AppendResult => {
    const existing = findByClientMsgId(message.senderId, message.clientMsgId);
    if (existing) return { message: existing, duplicate: true };
    const bumped = conn.get<{ last_seq: number }>(
      `UPDATE conversations SET last_seq = last_seq + 1, last_message_at = MAX(COALESCE(last_message_at, 0), ?)
       WHERE id = ? RETURNING last_seq`,
      message.createdAt,
      message.conversationId,
    );
    let seq = bumped?.last_seq;
    if (seq === undefined) {
      conn
        .stmt('INSERT INTO conversations (id, type, group_id, last_seq, last_message_at, created_at) VALUES (?, ?, ?, 1, ?, ?)')
        .run(message.conversationId, message.conversationType, conversationGroupId(message), message.createdAt, message.createdAt);
      const addMember = conn.stmt('INSERT INTO conversation_members (conversation_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING');
      for (const userId of uniqueIds(message.memberIds)) addMember.run(message.conversationId, userId);
      seq = 1;
    }
    let stored = storedMessage(message, seq);
    conn.stmt(`INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...messageValues(stored));
    const mention = conn.stmt('INSERT INTO message_mentions (conversation_id, seq, user_id) VALUES (?, ?, ?)');
    for (const row of mentionRows([stored])) mention.run(...row);
    if (stored.replyTo !== undefined) stored = withQuote(stored, conn.get<MessageRow>(`${QUOTE_SOURCE_SELECT} = ?`, stored.replyTo));
    // The sender has seen what they sent.
    conn
      .stmt(
        `UPDATE conversation_members SET delivered_seq = MAX(delivered_seq, ?), read_seq = MAX(read_seq, ?)
         WHERE conversation_id = ? AND user_id = ?`,
      )
      .run(seq, seq, stored.conversationId, stored.senderId);
    return { message: stored, duplicate: false };
  };

  return {
    appendMessage: (message) =>
      conn.run(() => {
        try {
          return conn.db.transaction(() => appendInTransaction(message)).immediate();
        } catch (err) {
          // Unreachable within one connection (the check runs under the write lock); kept for parity with MySQL.
          if (isUniqueViolation(err, 'messages.sender_id')) {
            const original = findByClientMsgId(message.senderId, message.clientMsgId);
            if (original) return { message: original, duplicate: true };
          }
          throw err;
        }
      }),

    getMessages: (viewerId, conversationId, range) =>
      conn.run(() => {
        const { sql, params, descending } = messageRangeSelect(viewerId, conversationId, range);
        const rows = conn.all<MessageRow>(sql, ...params);
        if (descending) rows.reverse();
        return rows.map(toMessage);
      }),

    getMessagesAfter: (viewerId, ranges, limit) =>
      conn.run(() =>
        // In-process: a prepared statement per conversation costs no round trip.
        ranges.map((r, i) =>
          conn.all<MessageRow>(MESSAGES_AFTER_SELECT, ...messagesAfterParams(i, r.conversationId, r.afterSeq, viewerId, limit)).map(toMessage),
        ),
      ),

    getMessagesByIds: (viewerId, ids) =>
      conn.run(() => {
        if (ids.length === 0) return [];
        return conn.all<MessageRow>(`${MESSAGE_SELECT} WHERE m.id ${IN_JSON} AND ${VISIBLE}`, JSON.stringify(ids), viewerId, viewerId).map(toMessage);
      }),

    getMessageForActor: (actorId, messageId) =>
      conn.run(() => toMessageForActor(conn.get<MessageRow & { hidden_for_actor: number }>(MESSAGE_FOR_ACTOR_SELECT, actorId, messageId, actorId))),

    findMessageByClientMsgId: (senderId, clientMsgId) => conn.run(() => findByClientMsgId(senderId, clientMsgId)),

    getConversationDigests: (viewerId, entries) =>
      conn.run(() =>
        entries.map((e, i) => toDigest(e.conversationId, conn.get<DigestRow>(DIGEST_SELECT, ...digestParams(i, viewerId, e.conversationId, e.readSeq)))),
      ),

    ...sqliteChanges(conn),
    ...sqliteMessageSearch(conn),

    listMemberConversations: (userId) =>
      conn.run(() =>
        conn.all<MemberConversationRow>(`${MEMBER_CONVERSATION_SELECT} ${MEMBER_CONVERSATION_ORDER}`, userId).map(toMemberConversation),
      ),

    getMemberConversation: (userId, conversationId) =>
      conn.run(() => {
        const row = conn.get<MemberConversationRow>(`${MEMBER_CONVERSATION_SELECT} AND cm.conversation_id = ?`, userId, conversationId);
        return row ? toMemberConversation(row) : null;
      }),

    advanceCursor: (userId, conversationId, kind, seq) =>
      conn.run(() => {
        const lastSeq = '(SELECT c.last_seq FROM conversations c WHERE c.id = conversation_members.conversation_id)';
        // Read implies delivered: one statement moves both.
        const set =
          kind === 'read'
            ? `read_seq = MAX(read_seq, MIN(@seq, ${lastSeq})), delivered_seq = MAX(delivered_seq, MIN(@seq, ${lastSeq}))`
            : `delivered_seq = MAX(delivered_seq, MIN(@seq, ${lastSeq}))`;
        const result = conn
          .stmt(`UPDATE conversation_members SET ${set} WHERE user_id = @userId AND conversation_id = @conversationId`)
          .run({ seq, userId, conversationId });
        if (result.changes === 0) throw new StoreError('not-in-conversation');
      }),
  };
}
