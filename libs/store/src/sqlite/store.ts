import type { Store } from '@parley/domain';
import { AggregateStore } from '../compose';
import { assertOrdered } from '../migrations/migration';
import { SQLITE_MIGRATIONS } from '../migrations/sqlite';
import { SqliteConnection, type SqliteStoreOptions } from './connection';
import { sqliteAdminStore } from './admin';
import { sqliteGroupStore } from './groups';
import { sqliteInvitationStore } from './invitations';
import { sqliteMessageStore } from './messages';
import { sqliteNotificationStore } from './notifications';
import { sqliteRequestStore } from './requests';
import { SQLITE_SEARCH_BACKFILL_VERSION, backfillSqliteSearch } from './search-backfill';
import { sqliteAuthSessionStore } from './sessions';
import { sqliteSocialStore } from './social';
import { sqliteUploadStore } from './uploads';
import { sqliteUserStore } from './users';

export type { SqliteStoreOptions } from './connection';

/**
 * The Store on SQLite (better-sqlite3) for the embedded mode: one connection
 * (connection.ts) shared by one object per aggregate.
 */
export class SqliteStore extends AggregateStore implements Store {
  private readonly conn: SqliteConnection;

  constructor(options: SqliteStoreOptions) {
    const conn = new SqliteConnection(options);
    super({
      ...sqliteUserStore(conn),
      ...sqliteSocialStore(conn),
      ...sqliteGroupStore(conn),
      ...sqliteRequestStore(conn),
      ...sqliteAuthSessionStore(conn),
      ...sqliteInvitationStore(conn),
      ...sqliteAdminStore(conn),
      ...sqliteMessageStore(conn),
      ...sqliteUploadStore(conn),
      ...sqliteNotificationStore(conn),
    });
    this.conn = conn;
  }

  migrate(): Promise<void> {
    const { conn } = this;
    return conn.run(() => {
      assertOrdered(SQLITE_MIGRATIONS);
      conn.db.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
      );
      for (const migration of SQLITE_MIGRATIONS) {
        // DDL is transactional here: check, apply and record under one write lock.
        conn.db
          .transaction(() => {
            if (conn.get('SELECT 1 FROM schema_migrations WHERE version = ?', migration.version)) return;
            for (const statement of migration.statements) conn.db.exec(statement);
            if (migration.version === SQLITE_SEARCH_BACKFILL_VERSION) backfillSqliteSearch(conn);
            conn.stmt('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
              migration.version,
              migration.name,
              Date.now(),
            );
          })
          .immediate();
      }
    });
  }

  async close(): Promise<void> {
    this.conn.close();
  }

  ping(): Promise<void> {
    return this.conn.run(() => {
      this.conn.stmt('SELECT 1').get();
    });
  }
}
