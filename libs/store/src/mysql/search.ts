import type { MessageStore } from '@parley/domain';
import { toMessage, type MessageRow } from '../rows/messages';
import { bigramQuery, normalizeSearch, searchLength } from '../rows/search';
import { searchStatement } from '../rows/search-statement';
import { likeContains } from '../rows/sql';
import type { MysqlConnection } from './connection';

/**
 * searchMessages on MySQL/MariaDB: a global query of two characters or more
 * asks the FULLTEXT index for all its bigram words (rows/search.ts: MariaDB
 * has no ngram parser, the adapter makes the ngrams); LIKE on search_text
 * (utf8mb4_bin, normalized on both sides) confirms the exact substring. One
 * character forms no bigram: LIKE alone over the newest candidates.
 */
export function mysqlMessageSearch(conn: MysqlConnection): Pick<MessageStore, 'searchMessages'> {
  return {
    async searchMessages(viewerId, query) {
      const q = normalizeSearch(query.q).trim();
      if (q === '') return [];
      const index =
        searchLength(q) >= 2 ? { join: '', match: 'MATCH (m.search_tokens) AGAINST (? IN BOOLEAN MODE)', param: bigramQuery(q) } : null;
      const { sql, params } = searchStatement(viewerId, query, { sql: "m.search_text LIKE ? ESCAPE '!'", param: likeContains(q) }, index);
      const rows = await conn.select<MessageRow>(sql, params);
      return rows.map(toMessage);
    },
  };
}
