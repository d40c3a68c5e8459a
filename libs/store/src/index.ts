export { MysqlStore, type MysqlStoreOptions } from './store.mysql';
export { SqliteStore, type SqliteStoreOptions } from './store.sqlite';
export { openStore, type StoreConfig } from './open-store';
