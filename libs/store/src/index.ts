export { MysqlStore, type MysqlStoreOptions } from './mysql/store';
export { SqliteStore, type SqliteStoreOptions } from './sqlite/store';
export { openStore, type StoreConfig } from './open-store';
