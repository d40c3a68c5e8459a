import type { Store } from '@parley/domain';
import { backoffDelay, silentLogger, type BackoffOptions, type Logger } from '@parley/util';
import { describeStartupError } from '@parley/util-node';
import { MysqlStore, type MysqlStoreOptions } from './mysql/store';
import { SqliteStore, type SqliteStoreOptions } from './sqlite/store';
import { isTransientStartupError } from './open-store-wait';

/** Which engine to open, with its options. */
export type StoreConfig = ({ kind: 'mysql' } & MysqlStoreOptions) | ({ kind: 'sqlite' } & SqliteStoreOptions);

export interface OpenStoreOptions {
  /**
   * How long to keep trying while the database is still coming up (refused,
   * not in DNS yet, no answer, shutting down or initialising); other causes
   * fail at once. 0: fail at once. @default 0
   */
  waitMs?: number;
  /** Each retry is logged at warn with its cause (messages only: URLs and passwords never). */
  logger?: Logger;
  /** Delays between attempts. @default { initialMs: 250, maxMs: 5_000 } */
  backoff?: BackoffOptions;
  /** Told the rows of each batch an engine writes, by operation (the MySQL group commit's appendMessage); no import of a metrics library here. */
  observeBatch?: (operation: 'appendMessage', size: number) => void;
}

const WAIT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 5_000 };

/**
 * Opens the configured engine and brings its schema up to date; the caller
 * closes it. With `waitMs`, a database that is not up yet is waited for with
 * backoff; the migrations run once it answers (several processes migrating
 * at once are serialised by the engine: a named lock on MySQL).
 */
export async function openStore(config: StoreConfig, options: OpenStoreOptions = {}): Promise<Store> {
  const logger = options.logger ?? silentLogger;
  const deadline = Date.now() + (options.waitMs ?? 0);
  for (let attempt = 0; ; attempt++) {
    try {
      return await openOnce(config, options.observeBatch);
    } catch (err) {
      const delayMs = backoffDelay(attempt, options.backoff ?? WAIT_BACKOFF);
      if (!isTransientStartupError(err) || Date.now() + delayMs > deadline) throw err;
      logger.warn({ cause: describeStartupError(err), attempt: attempt + 1, retryInMs: delayMs }, 'database not reachable yet; waiting for it (PARLEY_STORE_WAIT_SEC)');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

async function openOnce(config: StoreConfig, observeBatch: OpenStoreOptions['observeBatch']): Promise<Store> {
  const onAppendBatch = observeBatch && ((size: number) => observeBatch('appendMessage', size));
  const store = config.kind === 'mysql' ? new MysqlStore({ ...config, onAppendBatch }) : new SqliteStore(config);
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}
