import type { MessageStore } from '@parley/domain';
import { MESSAGE_SELECT, VISIBLE, toMessage, type MessageRow } from '../rows/messages';
import { ftsPhrase, normalizeSearch, searchLength } from '../rows/search';
import type { SqliteConnection } from './connection';

/**
 * searchMessages on SQLite: the FTS5 trigram index (migration 5) finds
 * candidates for queries of three characters or more; shorter ones cannot
 * form a trigram, so they test the text of the viewer's conversations
 * directly (bounded by LIMIT, newest first). instr() confirms every result:
 * exact substring semantics on the normalized text.
 */
export function sqliteMessageSearch(conn: SqliteConnection): Pick<MessageStore, 'searchMessages'> {
  return {
    searchMessages: (viewerId, query) =>
      conn.run(() => {
        const q = normalizeSearch(query.q).trim();
        if (q === '') return [];
        const useIndex = searchLength(q) >= 3;
        const clauses = [
          'm.search_text IS NOT NULL',
          'instr(m.search_text, ?) > 0',
          'm.conversation_id IN (SELECT cm.conversation_id FROM conversation_members cm WHERE cm.user_id = ?)',
        ];
        const params: unknown[] = [q, viewerId];
        if (query.conversationId !== undefined) {
          clauses.push('m.conversation_id = ?');
          params.push(query.conversationId);
        }
        if (query.beforeId !== undefined) {
          clauses.push('m.id < ?');
          params.push(query.beforeId);
        }
        clauses.push(VISIBLE);
        params.push(viewerId, viewerId);
        const from = useIndex
          ? MESSAGE_SELECT.replace('FROM messages m', 'FROM message_search s JOIN messages m ON m.rowid = s.rowid')
          : MESSAGE_SELECT;
        const where = useIndex ? ['message_search MATCH ?', ...clauses] : clauses;
        const sql = `${from} WHERE ${where.join(' AND ')} ORDER BY m.id DESC LIMIT ?`;
        return conn.all<MessageRow>(sql, ...(useIndex ? [ftsPhrase(q)] : []), ...params, query.limit).map(toMessage);
      }),
  };
}
