import type { DirectContext } from '@parley/domain';
import type { RowDataPacket } from 'mysql2/promise';
import type { Outcome } from './batch-queue';
import type { MysqlPool } from './mysql-pool';
import { directContextBatchSelect, toDirectContext, type DirectContextRow } from './rows';

/** Whom a direct message goes from and to. */
export interface DirectPair {
  senderId: string;
  recipientId: string;
}

/**
 * getDirectContext on MySQL for a batch of sends: one statement for all of
 * them, so a busy node makes one round trip per batch rather than one per
 * message. Each pair is read after its send arrived, as a lone query would be.
 * An unknown recipient answers null. A failed query fails the whole batch.
 */
export async function loadDirectContexts(pool: MysqlPool, pairs: readonly DirectPair[]): Promise<Outcome<DirectContext | null>[]> {
  const params = pairs.flatMap((p) => [p.senderId, p.senderId, p.senderId, p.recipientId]);
  const [rows] = await pool.withConnection((conn) =>
    conn.query<RowDataPacket[]>(directContextBatchSelect(pairs.length), params),
  );
  const found = new Map<number, DirectContext>();
  for (const row of rows as unknown as (DirectContextRow & { pair_index: number })[]) {
    found.set(Number(row.pair_index), toDirectContext(row));
  }
  return pairs.map((_, i) => ({ ok: true, value: found.get(i) ?? null }));
}
