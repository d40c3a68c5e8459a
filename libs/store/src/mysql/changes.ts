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
import { MESSAGE_SELECT, toMessage, type MessageRow } from '../rows/messages';
import { searchTextOf, searchTokensOf } from '../rows/search';
import type { MysqlConnection } from './connection';

type Changes = Pick<MessageStore, 'applyChange' | 'getMessageVersions'>;

async function rows<T>(c: PoolConnection, sql: string, params: unknown[]): Promise<T[]> {
  const [result] = await c.query<RowDataPacket[]>(sql, params);
  return result as unknown as T[];
}

const TARGET_SELECT = `${MESSAGE_SELECT} WHERE m.id = ? AND m.conversation_id = ? AND m.kind <> 'change'`;

/**
 * applyChange on MySQL: one transaction that locks the conversation row
 * (its seq, the same lock appends take) and then the target row, so changes
 * and appends of a conversation are serialized and get increasing seqs.
 */
export function mysqlChanges(conn: MysqlConnection): Changes {
  const reactionRows = (c: PoolConnection, messageId: string) =>
    rows<ReactionRow>(c, 'SELECT emoji, user_id FROM message_reactions WHERE message_id = ? ORDER BY seq', [messageId]);

  /** Writes what the change does to the target (the entry has `seq`); answers an upload to discard. */
  const applyToTarget = async (c: PoolConnection, change: NewChange, target: Message, seq: number): Promise<string | undefined> => {
    switch (change.type) {
      case 'edit': {
        const [count] = await rows<{ n: number }>(c, 'SELECT COUNT(*) AS n FROM message_versions WHERE message_id = ?', [target.id]);
        await c.query('INSERT INTO message_versions (message_id, version, text, edited_at) VALUES (?, ?, ?, ?)', [
          target.id,
          Number(count?.n ?? 0) + 1,
          target.body.text,
          change.createdAt,
        ]);
        const body = { ...target.body, text: change.text ?? '' };
        const searchText = searchTextOf(target.kind, body);
        await c.query('UPDATE messages SET body = ?, edited_at = ?, search_text = ?, search_tokens = ? WHERE id = ?', [
          JSON.stringify(body),
          change.createdAt,
          searchText,
          searchTokensOf(searchText),
          target.id,
        ]);
        return undefined;
      }
      case 'recall':
        await c.query(
          `UPDATE messages SET body = ?, recalled_at = ?, search_text = NULL, search_tokens = NULL, mentions = NULL, reactions = NULL
           WHERE id = ?`,
          [RECALLED_BODY, change.createdAt, target.id],
        );
        await c.query('DELETE FROM message_reactions WHERE message_id = ?', [target.id]);
        await c.query('DELETE FROM message_versions WHERE message_id = ?', [target.id]);
        await c.query('DELETE FROM message_mentions WHERE conversation_id = ? AND seq = ?', [target.conversationId, target.seq]);
        // The edits' texts go with the body; the entries stay.
        await c.query(`UPDATE messages SET body = ? WHERE target_id = ? AND change_type = 'edit'`, [RECALLED_BODY, target.id]);
        return target.body.attachment?.id;
      case 'reaction': {
        const emoji = change.emoji ?? '';
        if (change.on ?? true) {
          checkReactionLimits(groupReactions(await reactionRows(c, target.id)), change.actorId, emoji);
          await c.query('INSERT INTO message_reactions (message_id, user_id, emoji, seq, created_at) VALUES (?, ?, ?, ?, ?)', [
            target.id,
            change.actorId,
            emoji,
            seq,
            change.createdAt,
          ]);
        } else {
          await c.query('DELETE FROM message_reactions WHERE message_id = ? AND user_id = ? AND emoji = ?', [target.id, change.actorId, emoji]);
        }
        await c.query('UPDATE messages SET reactions = ? WHERE id = ?', [reactionsJson(groupReactions(await reactionRows(c, target.id))), target.id]);
        return undefined;
      }
      case 'delete':
        await c.query('INSERT INTO message_hidden (user_id, message_id) VALUES (?, ?)', [change.actorId, target.id]);
        return undefined;
    }
  };

  const applyInTransaction = async (c: PoolConnection, change: NewChange): Promise<ChangeResult> => {
    // Lock order: the conversation row, then the target: the order every change and append of it takes.
    const [conversation] = await rows<{ last_seq: number }>(c, 'SELECT last_seq FROM conversations WHERE id = ? FOR UPDATE', [change.conversationId]);
    if (!conversation) throw new StoreError('message-not-found');
    const [targetRow] = await rows<MessageRow>(c, `${TARGET_SELECT} FOR UPDATE`, [change.targetId, change.conversationId]);
    if (!targetRow) throw new StoreError('message-not-found');
    const target = toMessage(targetRow);
    const [state] = await rows<{ hidden: number; reacted: number }>(
      c,
      `SELECT EXISTS (SELECT 1 FROM message_hidden WHERE user_id = ? AND message_id = ?) AS hidden,
              EXISTS (SELECT 1 FROM message_reactions WHERE message_id = ? AND user_id = ? AND emoji = ?) AS reacted`,
      [change.actorId, target.id, target.id, change.actorId, change.emoji ?? ''],
    );
    const hidden = Number(state?.hidden) === 1;
    if (hidden && change.type !== 'delete') throw new StoreError('message-not-found');
    const asActorSees = (message: Message): Message => (change.type === 'delete' ? { ...message, deleted: true } : message);
    if (decideChange(change, target, change.type === 'reaction' && Number(state?.reacted) === 1, hidden) === 'none') {
      return { entry: null, target: asActorSees(target) };
    }
    // Changes take the next seq but leave last_message_at alone: a reaction does not reorder the chat list.
    const entry = changeEntry(change, Number(conversation.last_seq) + 1);
    await c.query('UPDATE conversations SET last_seq = ? WHERE id = ?', [entry.seq, change.conversationId]);
    const removedUploadId = await applyToTarget(c, change, target, entry.seq);
    await c.query(`INSERT INTO messages (${CHANGE_ENTRY_COLUMNS}) VALUES (?)`, [changeEntryValues(entry, change)]);
    const [after] = await rows<MessageRow>(c, TARGET_SELECT, [change.targetId, change.conversationId]);
    if (!after) throw new StoreError('message-not-found');
    return { entry, target: asActorSees(toMessage(after)), ...(removedUploadId === undefined ? {} : { removedUploadId }) };
  };

  return {
    applyChange: (change) => conn.transaction((c) => applyInTransaction(c, change)),
    async getMessageVersions(messageId) {
      const versions = await conn.select<{ text: string; edited_at: number }>(
        'SELECT text, edited_at FROM message_versions WHERE message_id = ? ORDER BY version',
        [messageId],
      );
      return versions.map((r) => ({ text: r.text, editedAt: Number(r.edited_at) }));
    },
  };
}
