import type { RowDataPacket } from 'mysql2/promise';
import { StoreError } from '@parley/domain';
import { BatchQueue } from '../batch-queue';
import type { MysqlPool } from './pool';

/**
 * The linger of reads off the send path (handshakes, syncs, presence): a lone
 * read runs after the current turn, never waits for company; reads still
 * share a statement with those of the same turn and those that arrive while
 * a batch runs, which is what a reconnect storm makes.
 */
export const SAME_TURN_ONLY = 0;

/** A single-row read on the send path, written so that many can share one statement. */
export interface Lookup<K, R> {
  /** What follows SELECT in the one-key query (columns, FROM, WHERE), with its `?`s. */
  body: string;
  /** The values for body's `?`s, for one key. */
  params(key: K): unknown[];
  toResult(row: RowDataPacket): R;
}

/**
 * A read the send path makes on every message, batched: the keys submitted
 * while the store is busy (or within lingerMs) are answered by one
 * statement, the one-key query repeated per key and glued with UNION ALL,
 * so a busy node makes one round trip per batch rather than one per
 * message. Each key is still read after its request arrived, as a lone
 * query would be. A key without a row answers null; a failed statement
 * fails the whole batch.
 */
export function batchedLookup<K, R>(pool: MysqlPool, lookup: Lookup<K, R>, lingerMs: number): BatchQueue<K, R | null> {
  return new BatchQueue<K, R | null>({
    maxBatchSize: 64,
    maxConcurrentBatches: 1,
    lingerMs,
    run: async (keys) => {
      const sql = keys.map((_, i) => `(SELECT ${i} AS key_index, ${lookup.body})`).join('\nUNION ALL ');
      const [rows] = await pool.withConnection((conn) => conn.query<RowDataPacket[]>(sql, keys.flatMap(lookup.params)));
      const found = new Map(rows.map((row) => [Number(row.key_index), lookup.toResult(row)]));
      return keys.map((_, i) => ({ ok: true, value: found.get(i) ?? null }));
    },
    closedError: () => new StoreError('closed'),
  });
}

/** A many-row read per key (a user's groups), written so that many keys share one statement. */
export interface ListLookup<R> {
  /** SELECT … WHERE <key column> IN (?) …: `?` takes the batch's distinct keys; each row names its key as `lookup_key`. */
  sql: string;
  toResult(row: RowDataPacket): R;
}

/**
 * batchedLookup for reads that answer a list per key: the distinct keys of
 * a batch in one `IN (?)` statement, the rows handed back to each key in the
 * statement's order (an ORDER BY in `sql` holds per key). A key without rows
 * answers [].
 */
export function batchedListLookup<R>(pool: MysqlPool, lookup: ListLookup<R>, lingerMs: number): BatchQueue<string, R[]> {
  return new BatchQueue<string, R[]>({
    maxBatchSize: 64,
    maxConcurrentBatches: 1,
    lingerMs,
    run: async (keys) => {
      const [rows] = await pool.withConnection((conn) => conn.query<RowDataPacket[]>(lookup.sql, [[...new Set(keys)]]));
      const byKey = new Map<string, R[]>();
      for (const row of rows) {
        const key = String(row.lookup_key);
        const list = byKey.get(key) ?? [];
        if (list.length === 0) byKey.set(key, list);
        list.push(lookup.toResult(row));
      }
      return keys.map((key) => ({ ok: true, value: [...(byKey.get(key) ?? [])] }));
    },
    closedError: () => new StoreError('closed'),
  });
}
