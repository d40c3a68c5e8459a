import type { PoolConnection } from 'mysql2/promise';

/*
 * Multi-statement packets: on loopback each round trip costs both processes
 * more CPU than the statements themselves, and a transaction's locks are held
 * across its round trips. Only pools opened with multipleStatements may send
 * them.
 */

/** One SQL statement and its parameters, to be sent with others in one packet. */
export interface Statement {
  sql: string;
  params: unknown[];
}

export const BEGIN: Statement = { sql: 'START TRANSACTION', params: [] };
export const COMMIT: Statement = { sql: 'COMMIT', params: [] };

/** Sends statements in one packet and answers each one's result, in order. */
export async function send(conn: PoolConnection, statements: readonly Statement[]): Promise<unknown[]> {
  const [results] = await conn.query(
    statements.map((s) => s.sql).join(';\n'),
    statements.flatMap((s) => s.params),
  );
  return statements.length === 1 ? [results] : (results as unknown as unknown[]);
}
