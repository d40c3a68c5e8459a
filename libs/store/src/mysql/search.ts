import type { MessageStore } from '@parley/domain';
import { MESSAGE_SELECT, VISIBLE, toMessage, type MessageRow } from '../rows/messages';
import { bigramQuery, normalizeSearch, searchLength } from '../rows/search';
import { likeContains } from '../rows/sql';
import type { MysqlConnection } from './connection';

/**
 * searchMessages on MySQL/MariaDB: a query of two characters or more asks
 * the FULLTEXT index for all its bigram words (rows/search.ts: MariaDB has
 * no ngram parser, the adapter makes the ngrams) and LIKE on search_text
 * (utf8mb4_bin, normalized on both sides) confirms the exact substring. One
 * character forms no bigram: LIKE alone over the viewer's conversations,
 * newest first, bounded by LIMIT.
 */
export function mysqlMessageSearch(conn: MysqlConnection): Pick<MessageStore, 'searchMessages'> {
  return {
    async searchMessages(viewerId, query) {
      const q = normalizeSearch(query.q).trim();
      if (q === '') return [];
      const clauses = [
        "m.search_text LIKE ? ESCAPE '!'",
        'm.conversation_id IN (SELECT cm.conversation_id FROM conversation_members cm WHERE cm.user_id = ?)',
      ];
      const params: unknown[] = [likeContains(q), viewerId];
      if (searchLength(q) >= 2) {
        clauses.unshift('MATCH (m.search_tokens) AGAINST (? IN BOOLEAN MODE)');
        params.unshift(bigramQuery(q));
      }
      if (query.conversationId !== undefined) {
        clauses.push('m.conversation_id = ?');
        params.push(query.conversationId);
      }
      if (query.beforeId !== undefined) {
        clauses.push('m.id < ?');
        params.push(query.beforeId);
      }
      clauses.push(VISIBLE);
      params.push(viewerId, viewerId, query.limit);
      const rows = await conn.select<MessageRow>(`${MESSAGE_SELECT} WHERE ${clauses.join(' AND ')} ORDER BY m.id DESC LIMIT ?`, params);
      return rows.map(toMessage);
    },
  };
}
