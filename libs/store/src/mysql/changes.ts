import { StoreError, type ChangeResult, type MessageStore, type NewChange } from '@parley/domain';
import type { Message } from '@parley/protocol';
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import {
  CHANGE_ENTRY_COLUMNS,
  RECALLED_BODY,
  changeEntry,
  changeEntryValues,
  checkReactionLimits,
  decideChange,
  groupReactions,
  reactionsJson,
  type ReactionRow,
} from '../rows/changes';
import { messageSelect, toMessage, type MessageRow } from '../rows/messages';
import { searchTextOf, searchTokensOf } from '../rows/search';
import type { MysqlConnection } from './connection';
import { toStoreError } from './errors';
import { BEGIN, COMMIT, send, type Statement } from './script';

type Changes = Pick<MessageStore, 'applyChange' | 'getMessageVersions'>;

const TARGET_WHERE = "WHERE m.id = ? AND m.conversation_id = ? AND m.kind <> 'change'";

/** The target, locked, with whether the actor hid it and already put that reaction on (bind actor, actor, emoji, id, conversation). */
const LOCKED_TARGET_SELECT = `${messageSelect(
  'messages m',
  `EXISTS (SELECT 1 FROM message_hidden h WHERE h.user_id = ? AND h.message_id = m.id) AS hidden,
   EXISTS (SELECT 1 FROM message_reactions r WHERE r.message_id = m.id AND r.user_id = ? AND r.emoji = ?) AS reacted`,
)} ${TARGET_WHERE} FOR UPDATE`;

const TARGET_SELECT = `${messageSelect()} ${TARGET_WHERE}`;

/** What the change writes to the target (the entry has `seq`), given the target's reaction rows for a reaction. */
function targetWrites(change: NewChange, target: Message, seq: number, reactions: readonly ReactionRow[]): Statement[] {
  switch (change.type) {
    case 'edit': {
      const body = { ...target.body, text: change.text ?? '' };
      const searchText = searchTextOf(target.kind, body);
      return [
        {
          sql: `INSERT INTO message_versions (message_id, version, text, edited_at)
                SELECT ?, COALESCE(MAX(version), 0) + 1, ?, ? FROM message_versions WHERE message_id = ?`,
          params: [target.id, target.body.text, change.createdAt, target.id],
        },
        {
          sql: 'UPDATE messages SET body = ?, edited_at = ?, search_text = ?, search_tokens = ? WHERE id = ?',
          params: [JSON.stringify(body), change.createdAt, searchText, searchTokensOf(searchText), target.id],
        },
      ];
    }
    case 'recall':
      return [
        {
          sql: `UPDATE messages SET body = ?, recalled_at = ?, search_text = NULL, search_tokens = NULL, mentions = NULL, reactions = NULL
                WHERE id = ?`,
          params: [RECALLED_BODY, change.createdAt, target.id],
        },
        { sql: 'DELETE FROM message_reactions WHERE message_id = ?', params: [target.id] },
        { sql: 'DELETE FROM message_versions WHERE message_id = ?', params: [target.id] },
        { sql: 'DELETE FROM message_mentions WHERE conversation_id = ? AND seq = ?', params: [target.conversationId, target.seq] },
        // The edits' texts go with the body; the entries stay.
        { sql: `UPDATE messages SET body = ? WHERE target_id = ? AND change_type = 'edit'`, params: [RECALLED_BODY, target.id] },
      ];
    case 'reaction': {
      const emoji = change.emoji ?? '';
      const mine = (r: ReactionRow) => r.user_id === change.actorId && r.emoji === emoji;
      // The rows read under the lock plus this change: the new JSON without reading them again.
      const after = change.on ?? true ? [...reactions, { emoji, user_id: change.actorId }] : reactions.filter((r) => !mine(r));
      return [
        change.on ?? true
          ? {
              sql: 'INSERT INTO message_reactions (message_id, user_id, emoji, seq, created_at) VALUES (?, ?, ?, ?, ?)',
              params: [target.id, change.actorId, emoji, seq, change.createdAt],
            }
          : { sql: 'DELETE FROM message_reactions WHERE message_id = ? AND user_id = ? AND emoji = ?', params: [target.id, change.actorId, emoji] },
        { sql: 'UPDATE messages SET reactions = ? WHERE id = ?', params: [reactionsJson(groupReactions(after)), target.id] },
      ];
    }
    case 'delete':
      return [{ sql: 'INSERT INTO message_hidden (user_id, message_id) VALUES (?, ?)', params: [change.actorId, target.id] }];
  }
}

/**
 * applyChange on MySQL: one transaction that locks the conversation row
 * (its seq, the same lock appends take) and then the target row, so changes
 * and appends of a conversation are serialized and get increasing seqs.
 * Two round trips hold the locks: BEGIN, both locks and the state the rules
 * need in one packet; the writes, the target's new state and COMMIT in the
 * other (mysql/script.ts).
 */
export function mysqlChanges(conn: MysqlConnection): Changes {
  // Multi-statement packets need their own pool; changes of one conversation queue on its row anyway.
  const pool = conn.openPool({ connectionLimit: 4, multipleStatements: true });

  const applyInTransaction = async (c: PoolConnection, change: NewChange): Promise<ChangeResult> => {
    const emoji = change.emoji ?? '';
    // Lock order: the conversation row, then the target: the order every change and append of it takes.
    const read = await send(c, [
      BEGIN,
      { sql: 'SELECT last_seq FROM conversations WHERE id = ? FOR UPDATE', params: [change.conversationId] },
      { sql: LOCKED_TARGET_SELECT, params: [change.actorId, change.actorId, emoji, change.targetId, change.conversationId] },
      ...(change.type === 'reaction'
        ? [{ sql: 'SELECT emoji, user_id FROM message_reactions WHERE message_id = ? ORDER BY seq', params: [change.targetId] }]
        : []),
    ]);
    const [conversation] = read[1] as RowDataPacket[];
    const [targetRow] = read[2] as (MessageRow & { hidden: number; reacted: number } & RowDataPacket)[];
    const reactions = (read[3] ?? []) as (ReactionRow & RowDataPacket)[];
    if (!conversation || !targetRow) throw new StoreError('message-not-found');
    const target = toMessage(targetRow);
    const hidden = Number(targetRow.hidden) === 1;
    if (hidden && change.type !== 'delete') throw new StoreError('message-not-found');
    const asActorSees = (message: Message): Message => (change.type === 'delete' ? { ...message, deleted: true } : message);
    if (decideChange(change, target, Number(targetRow.reacted) === 1, hidden) === 'none') {
      await send(c, [COMMIT]);
      return { entry: null, target: asActorSees(target) };
    }
    if (change.type === 'reaction' && (change.on ?? true)) checkReactionLimits(groupReactions(reactions), change.actorId, emoji);
    // Changes take the next seq but leave last_message_at alone: a reaction does not reorder the chat list.
    const entry = changeEntry(change, Number(conversation.last_seq) + 1);
    const writes = [
      { sql: 'UPDATE conversations SET last_seq = ? WHERE id = ?', params: [entry.seq, change.conversationId] },
      ...targetWrites(change, target, entry.seq, reactions),
      { sql: `INSERT INTO messages (${CHANGE_ENTRY_COLUMNS}) VALUES (?)`, params: [changeEntryValues(entry, change)] },
      { sql: TARGET_SELECT, params: [change.targetId, change.conversationId] },
    ];
    const written = await send(c, [...writes, COMMIT]);
    const [after] = written[writes.length - 1] as (MessageRow & RowDataPacket)[];
    if (!after) throw new StoreError('message-not-found');
    const removedUploadId = change.type === 'recall' ? target.body.attachment?.id : undefined;
    return { entry, target: asActorSees(toMessage(after)), ...(removedUploadId === undefined ? {} : { removedUploadId }) };
  };

  return {
    async applyChange(change) {
      try {
        return await pool.scriptedTransaction((c) => applyInTransaction(c, change));
      } catch (err) {
        throw toStoreError(err);
      }
    },
    async getMessageVersions(messageId) {
      const versions = await conn.select<{ text: string; edited_at: number }>(
        'SELECT text, edited_at FROM message_versions WHERE message_id = ? ORDER BY version',
        [messageId],
      );
      return versions.map((r) => ({ text: r.text, editedAt: Number(r.edited_at) }));
    },
  };
}
