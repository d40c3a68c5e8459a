import { createPool, type Pool, type PoolConnection } from 'mysql2/promise';
import { StoreError } from '@parley/domain';
import { isFatalConnectionError, isRetryableTransactionError, toStoreError } from './errors';

export interface MysqlPoolOptions {
  /** `mysql://user:password@host:port/database`; the database must exist. */
  url: string;
  /** @default 10 */
  connectionLimit?: number;
  /** Time allowed to open one connection, so a dead server fails fast. @default 2_000 */
  connectTimeoutMs?: number;
  /** Time allowed to get a connection from the pool before UNAVAILABLE. @default 5_000 */
  acquireTimeoutMs?: number;
  /** Attempts of a transaction that hits a deadlock or lock wait timeout. @default 3 */
  transactionAttempts?: number;
  /**
   * Lets one query carry several statements (needed by scriptedTransaction).
   * Off by default: only the message-append pool turns it on.
   */
  multipleStatements?: boolean;
}

/**
 * A mysql2 pool with the two ways MysqlStore uses it: one connection with
 * errors mapped to ParleyError, or a transaction retried on deadlock.
 * Connections that saw a fatal error are destroyed, not returned.
 */
export class MysqlPool {
  private readonly pool: Pool;
  private readonly acquireTimeoutMs: number;
  private readonly transactionAttempts: number;

  constructor(options: MysqlPoolOptions) {
    this.acquireTimeoutMs = options.acquireTimeoutMs ?? 5_000;
    this.transactionAttempts = options.transactionAttempts ?? 3;
    this.pool = createPool({
      uri: options.url,
      connectionLimit: options.connectionLimit ?? 10,
      connectTimeout: options.connectTimeoutMs ?? 2_000,
      waitForConnections: true,
      multipleStatements: options.multipleStatements ?? false,
      enableKeepAlive: true,
      charset: 'utf8mb4_unicode_ci',
      // No stack capture per query: it cost ~6% of an IM node's CPU under load,
      // and failures are mapped to typed errors with their cause anyway.
      trace: false,
    });
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  /** Runs `fn` in a transaction, again on deadlock; the caller maps errors. */
  transaction<T>(fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
    return this.attempt(fn, true);
  }

  /**
   * Like transaction(), for an `fn` that sends START TRANSACTION and COMMIT
   * itself, inside its multi-statement queries, to save their round trips.
   * Failures are rolled back here. Needs `multipleStatements`.
   */
  scriptedTransaction<T>(fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
    return this.attempt(fn, false);
  }

  private async attempt<T>(fn: (conn: PoolConnection) => Promise<T>, wrap: boolean): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const conn = await this.acquire();
      let fatal = false;
      try {
        if (wrap) await conn.beginTransaction();
        const result = await fn(conn);
        if (wrap) await conn.commit();
        return result;
      } catch (err) {
        fatal = isFatalConnectionError(err);
        if (!fatal) await conn.rollback().catch(() => undefined);
        if (attempt < this.transactionAttempts && isRetryableTransactionError(err)) continue;
        throw err;
      } finally {
        if (fatal) conn.destroy();
        else conn.release();
      }
    }
  }

  /** Runs `fn` on a pooled connection and maps failures to ParleyError. */
  async withConnection<T>(fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
    let conn: PoolConnection | undefined;
    try {
      conn = await this.acquire();
      return await fn(conn);
    } catch (err) {
      if (conn && isFatalConnectionError(err)) {
        conn.destroy();
        conn = undefined;
      }
      throw toStoreError(err);
    } finally {
      conn?.release();
    }
  }

  /** pool.getConnection() with a deadline: mysql2 pools otherwise queue forever. */
  private acquire(): Promise<PoolConnection> {
    const pending = this.pool.getConnection();
    return new Promise((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        reject(new StoreError('connection-timeout'));
      }, this.acquireTimeoutMs);
      pending.then(
        (conn) => {
          clearTimeout(timer);
          if (timedOut) conn.release();
          else resolve(conn);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(toStoreError(err));
        },
      );
    });
  }
}
