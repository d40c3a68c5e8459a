import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { toStoreError } from './errors';
import { MysqlPool, type MysqlPoolOptions } from './pool';

export interface MysqlConnectionOptions extends MysqlPoolOptions {
  /**
   * How long a message that finds the store idle waits for others to share
   * its transaction (and a direct send's authorization read to share its
   * query). Costs that much latency at low load, saves statements at high
   * load. @default 2
   */
  batchLingerMs?: number;
}

/** What close() must wait for: a batch queue's messages are committed (or fail) before the pools go. */
interface Drainable {
  close(): Promise<void>;
}

/**
 * The connections of a MysqlStore, shared by its aggregates: the main pool
 * with the queries they run on it, further pools (the group commit's own),
 * and the batch queues to drain before the pools close.
 */
export class MysqlConnection {
  readonly pool: MysqlPool;
  /** See MysqlConnectionOptions.batchLingerMs. */
  readonly lingerMs: number;
  private readonly pools: MysqlPool[];
  private readonly queues: Drainable[] = [];

  constructor(private readonly options: MysqlConnectionOptions) {
    if (new URL(options.url).pathname.length <= 1) throw new Error('MysqlStore: the url must name a database');
    this.lingerMs = options.batchLingerMs ?? 2;
    this.pool = new MysqlPool(options);
    this.pools = [this.pool];
  }

  /** Another pool on the same database, with other settings; closed with this connection. */
  openPool(overrides: Partial<MysqlPoolOptions>): MysqlPool {
    const pool = new MysqlPool({ ...this.options, ...overrides });
    this.pools.push(pool);
    return pool;
  }

  /** Registers a batch queue to drain on close, before the pools end. */
  drainOnClose<Q extends Drainable>(queue: Q): Q {
    this.queues.push(queue);
    return queue;
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((queue) => queue.close()));
    await Promise.all(this.pools.map((pool) => pool.close()));
  }

  /** Rows of one statement on the main pool, typed. */
  async select<T>(sql: string, params: unknown[]): Promise<T[]> {
    const [rows] = await this.pool.withConnection((conn) => conn.query<RowDataPacket[]>(sql, params));
    return rows as unknown as T[];
  }

  /** One INSERT, UPDATE or DELETE on the main pool; answers its result header (affectedRows). */
  async execute(sql: string, params: unknown[]): Promise<ResultSetHeader> {
    const [result] = await this.pool.withConnection((conn) => conn.query<ResultSetHeader>(sql, params));
    return result;
  }

  /** Runs `fn` in a transaction (again on deadlock), mapping failures to ParleyError. */
  async transaction<T>(fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
    try {
      return await this.pool.transaction(fn);
    } catch (err) {
      throw toStoreError(err);
    }
  }
}
