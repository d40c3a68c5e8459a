import type { Store } from '@parley/domain';
import { MysqlStore, type MysqlStoreOptions } from './mysql/store';
import { SqliteStore, type SqliteStoreOptions } from './sqlite/store';

/** Which engine to open, with its options. */
export type StoreConfig = ({ kind: 'mysql' } & MysqlStoreOptions) | ({ kind: 'sqlite' } & SqliteStoreOptions);

/** Opens the configured engine and brings its schema up to date; the caller closes it. */
export async function openStore(config: StoreConfig): Promise<Store> {
  const store = config.kind === 'mysql' ? new MysqlStore(config) : new SqliteStore(config);
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}
