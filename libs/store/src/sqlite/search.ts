import type { MessageStore } from '@parley/domain';
import { toMessage, type MessageRow } from '../rows/messages';
import { ftsPhrase, normalizeSearch, searchLength } from '../rows/search';
import { searchStatement } from '../rows/search-statement';
import type { SqliteConnection } from './connection';

/**
 * searchMessages on SQLite: the FTS5 trigram index (migration 5) finds
 * candidates for global queries of three characters or more; shorter ones
 * cannot form a trigram, so they test the newest candidates' text directly.
 * instr() confirms every result: exact substring semantics on the
 * normalized text.
 */
export function sqliteMessageSearch(conn: SqliteConnection): Pick<MessageStore, 'searchMessages'> {
  return {
    searchMessages: (viewerId, query) =>
      conn.run(() => {
        const q = normalizeSearch(query.q).trim();
        if (q === '') return [];
        const index =
          searchLength(q) >= 3 ? { join: 'JOIN message_search s ON s.rowid = m.rowid', match: 'message_search MATCH ?', param: ftsPhrase(q) } : null;
        const { sql, params } = searchStatement(viewerId, query, { sql: 'instr(m.search_text, ?) > 0', param: q }, index);
        return conn.all<MessageRow>(sql, ...params).map(toMessage);
      }),
  };
}
