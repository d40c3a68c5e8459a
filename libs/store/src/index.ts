export { MysqlStore, type MysqlStoreOptions } from './mysql/store';
export { SqliteStore, type SqliteStoreOptions } from './sqlite/store';
export { openStore, type OpenStoreOptions, type StoreConfig } from './open-store';
export { isTransientStartupError } from './open-store-wait';
