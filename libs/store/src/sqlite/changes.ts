import { StoreError, type ChangeResult, type MessageStore, type NewChange } from '@parley/domain';
import type { Message } from '@parley/protocol';
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
import { searchTextOf } from '../rows/search';
import type { SqliteConnection } from './connection';

type Changes = Pick<MessageStore, 'applyChange' | 'getMessageVersions'>;

/** applyChange and the versions it keeps, on SQLite: one write transaction per change. */
export function sqliteChanges(conn: SqliteConnection): Changes {
  const readTarget = (change: NewChange): Message | null => {
    const row = conn.get<MessageRow>(`${MESSAGE_SELECT} WHERE m.id = ? AND m.conversation_id = ? AND m.kind <> 'change'`, change.targetId, change.conversationId);
    return row ? toMessage(row) : null;
  };
  const isHidden = (userId: string, messageId: string): boolean =>
    conn.get('SELECT 1 FROM message_hidden WHERE user_id = ? AND message_id = ?', userId, messageId) !== undefined;

  const reactionRows = (messageId: string): ReactionRow[] =>
    conn.all<ReactionRow>('SELECT emoji, user_id FROM message_reactions WHERE message_id = ? ORDER BY seq', messageId);

  /** Writes what the change does to the target (the entry has `seq`); answers an upload to discard. */
  const applyToTarget = (change: NewChange, target: Message, seq: number): string | undefined => {
    switch (change.type) {
      case 'edit': {
        const text = change.text ?? '';
        const version = conn.get<{ n: number }>('SELECT COUNT(*) AS n FROM message_versions WHERE message_id = ?', target.id)?.n ?? 0;
        conn
          .stmt('INSERT INTO message_versions (message_id, version, text, edited_at) VALUES (?, ?, ?, ?)')
          .run(target.id, version + 1, target.body.text, change.createdAt);
        const body = { ...target.body, text };
        conn
          .stmt('UPDATE messages SET body = ?, edited_at = ?, search_text = ? WHERE id = ?')
          .run(JSON.stringify(body), change.createdAt, searchTextOf(target.kind, body), target.id);
        return undefined;
      }
      case 'recall':
        conn
          .stmt('UPDATE messages SET body = ?, recalled_at = ?, search_text = NULL, mentions = NULL, reactions = NULL WHERE id = ?')
          .run(RECALLED_BODY, change.createdAt, target.id);
        conn.stmt('DELETE FROM message_reactions WHERE message_id = ?').run(target.id);
        conn.stmt('DELETE FROM message_versions WHERE message_id = ?').run(target.id);
        conn.stmt('DELETE FROM message_mentions WHERE conversation_id = ? AND seq = ?').run(target.conversationId, target.seq);
        // The edits' texts go with the body; the entries stay.
        conn.stmt(`UPDATE messages SET body = ? WHERE target_id = ? AND change_type = 'edit'`).run(RECALLED_BODY, target.id);
        return target.body.attachment?.id;
      case 'reaction': {
        const emoji = change.emoji ?? '';
        if (change.on ?? true) {
          checkReactionLimits(groupReactions(reactionRows(target.id)), change.actorId, emoji);
          conn
            .stmt('INSERT INTO message_reactions (message_id, user_id, emoji, seq, created_at) VALUES (?, ?, ?, ?, ?)')
            .run(target.id, change.actorId, emoji, seq, change.createdAt);
        } else {
          conn.stmt('DELETE FROM message_reactions WHERE message_id = ? AND user_id = ? AND emoji = ?').run(target.id, change.actorId, emoji);
        }
        conn.stmt('UPDATE messages SET reactions = ? WHERE id = ?').run(reactionsJson(groupReactions(reactionRows(target.id))), target.id);
        return undefined;
      }
      case 'delete':
        conn.stmt('INSERT INTO message_hidden (user_id, message_id) VALUES (?, ?)').run(change.actorId, target.id);
        return undefined;
    }
  };

  const applyInTransaction = (change: NewChange): ChangeResult => {
    const target = readTarget(change);
    const hidden = target !== null && isHidden(change.actorId, target.id);
    if (!target || (hidden && change.type !== 'delete')) throw new StoreError('message-not-found');
    const reacted =
      change.type === 'reaction' &&
      conn.get('SELECT 1 FROM message_reactions WHERE message_id = ? AND user_id = ? AND emoji = ?', target.id, change.actorId, change.emoji ?? '') !==
        undefined;
    const asActorSees = (message: Message): Message => (change.type === 'delete' ? { ...message, deleted: true } : message);
    if (decideChange(change, target, reacted, hidden) === 'none') return { entry: null, target: asActorSees(target) };
    // Changes take the next seq but leave last_message_at alone: a reaction does not reorder the chat list.
    const bumped = conn.get<{ last_seq: number }>('UPDATE conversations SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq', change.conversationId);
    if (!bumped) throw new StoreError('message-not-found');
    const entry = changeEntry(change, bumped.last_seq);
    const removedUploadId = applyToTarget(change, target, entry.seq);
    conn.stmt(`INSERT INTO messages (${CHANGE_ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...changeEntryValues(entry, change));
    const after = readTarget(change);
    if (!after) throw new StoreError('message-not-found');
    return { entry, target: asActorSees(after), ...(removedUploadId === undefined ? {} : { removedUploadId }) };
  };

  return {
    applyChange: (change) => conn.write(() => applyInTransaction(change)),
    getMessageVersions: (messageId) =>
      conn.run(() =>
        conn
          .all<{ text: string; edited_at: number }>('SELECT text, edited_at FROM message_versions WHERE message_id = ? ORDER BY version', messageId)
          .map((r) => ({ text: r.text, editedAt: Number(r.edited_at) })),
      ),
  };
}
