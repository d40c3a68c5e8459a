import type { MessageBody, MessageKind } from '@parley/protocol';
import { searchTextOf } from '../rows/search';
import type { SqliteConnection } from './connection';

/** The migration after which SqliteStore runs backfillSqliteSearch. */
export const SQLITE_SEARCH_BACKFILL_VERSION = 6;

const PAGE = 500;

/**
 * Sets search_text of the messages stored before migration 5 as new ones
 * get it (searchTextOf: NFKC, then lowercase in every script); migration 5's
 * SQL could only apply ASCII LOWER, which leaves "Ä" or "Ａ" as they were.
 * A page at a time in id order; a row already right is not written, so
 * running it again does no harm. The triggers keep the FTS table in step;
 * a rebuild at the end makes sure of it.
 */
export function backfillSqliteSearch(conn: SqliteConnection): void {
  const page = conn.stmt(
    `SELECT id, kind, body, search_text FROM messages
     WHERE id > ? AND kind IN ('text', 'image', 'file') AND recalled_at IS NULL ORDER BY id LIMIT ${PAGE}`,
  );
  const update = conn.stmt('UPDATE messages SET search_text = ? WHERE id = ?');
  let after = '';
  for (;;) {
    const rows = page.all(after) as { id: string; kind: string; body: string; search_text: string | null }[];
    for (const row of rows) {
      const text = searchTextOf(row.kind as MessageKind, JSON.parse(row.body) as MessageBody);
      if (text !== row.search_text) update.run(text, row.id);
    }
    const last = rows[rows.length - 1];
    if (!last || rows.length < PAGE) break;
    after = last.id;
  }
  conn.db.exec(`INSERT INTO message_search (message_search) VALUES ('rebuild')`);
}
