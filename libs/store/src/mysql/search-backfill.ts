import type { MessageBody, MessageKind } from '@parley/protocol';
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { searchTextOf, searchTokensOf } from '../rows/search';

/** The migration after which MysqlStore runs backfillMessageSearch. */
export const SEARCH_BACKFILL_VERSION = 6;

const PAGE = 500;

/**
 * Fills search_text and search_tokens of messages stored before migration 5,
 * a page at a time in id order. Rows already filled, recalled ones and those
 * without text are skipped, so running it again does no harm.
 */
export async function backfillMessageSearch(conn: PoolConnection): Promise<void> {
  let after = '';
  for (;;) {
    const [rows] = await conn.query<RowDataPacket[]>(
      `SELECT id, kind, body FROM messages
       WHERE id > ? AND kind IN ('text', 'image', 'file') AND search_text IS NULL AND recalled_at IS NULL
       ORDER BY id LIMIT ${PAGE}`,
      [after],
    );
    const last = rows[rows.length - 1];
    if (!last) return;
    after = String(last.id);
    const values = rows.flatMap((row) => {
      const text = searchTextOf(String(row.kind) as MessageKind, JSON.parse(String(row.body)) as MessageBody);
      return text === null ? [] : [[String(row.id), text, searchTokensOf(text)]];
    });
    if (values.length > 0) {
      const select = values.map((_, i) => (i === 0 ? 'SELECT ? COLLATE utf8mb4_bin AS id, ? AS st, ? AS tk' : 'SELECT ?, ?, ?')).join(' UNION ALL ');
      await conn.query(`UPDATE messages m JOIN (${select}) x ON m.id = x.id SET m.search_text = x.st, m.search_tokens = x.tk`, values.flat());
    }
    if (rows.length < PAGE) return;
  }
}
