import { StoreError, type Store } from '@parley/domain';
import type { RowDataPacket } from 'mysql2/promise';
import { AggregateStore } from '../compose';
import { assertOrdered } from '../migrations/migration';
import { MYSQL_MIGRATIONS } from '../migrations/mysql';
import { MysqlConnection, type MysqlConnectionOptions } from './connection';
import { mysqlAdminStore } from './admin';
import { mysqlGroupStore } from './groups';
import { mysqlInvitationStore } from './invitations';
import { mysqlMessageStore, type MysqlGroupCommitOptions } from './messages';
import { mysqlNotificationStore } from './notifications';
import { mysqlRequestStore } from './requests';
import { SEARCH_BACKFILL_VERSION, backfillMessageSearch } from './search-backfill';
import { mysqlAuthSessionStore } from './sessions';
import { mysqlSocialStore } from './social';
import { mysqlUploadStore } from './uploads';
import { mysqlUserStore } from './users';

export interface MysqlStoreOptions extends MysqlConnectionOptions, MysqlGroupCommitOptions {
  /** How long migrate() waits for another node that is migrating. @default 60_000 */
  migrationLockTimeoutMs?: number;
}

/**
 * The Store on MySQL / MariaDB through mysql2 connection pools
 * (connection.ts), shared by one object per aggregate.
 */
export class MysqlStore extends AggregateStore implements Store {
  private readonly conn: MysqlConnection;
  private readonly migrationLockTimeoutMs: number;

  constructor(options: MysqlStoreOptions) {
    const conn = new MysqlConnection(options);
    super({
      ...mysqlUserStore(conn),
      ...mysqlSocialStore(conn),
      ...mysqlGroupStore(conn),
      ...mysqlRequestStore(conn),
      ...mysqlAuthSessionStore(conn),
      ...mysqlInvitationStore(conn),
      ...mysqlAdminStore(conn),
      ...mysqlMessageStore(conn, options),
      ...mysqlUploadStore(conn),
      ...mysqlNotificationStore(conn),
    });
    this.conn = conn;
    this.migrationLockTimeoutMs = options.migrationLockTimeoutMs ?? 60_000;
  }

  async migrate(): Promise<void> {
    assertOrdered(MYSQL_MIGRATIONS);
    await this.conn.pool.withConnection(async (conn) => {
      // GET_LOCK is server-wide: scope it to this database so test databases don't serialize.
      const lockName = 'parley_migrate:';
      const [locked] = await conn.query<RowDataPacket[]>('SELECT GET_LOCK(CONCAT(?, DATABASE()), ?) AS ok', [
        lockName,
        Math.ceil(this.migrationLockTimeoutMs / 1000),
      ]);
      if (locked[0]?.ok !== 1) throw new StoreError('migration-lock-timeout');
      try {
        await conn.query(
          `CREATE TABLE IF NOT EXISTS schema_migrations (
            version INT NOT NULL PRIMARY KEY, name VARCHAR(128) NOT NULL, applied_at BIGINT NOT NULL
          ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
        );
        const [rows] = await conn.query<RowDataPacket[]>('SELECT version FROM schema_migrations');
        const applied = new Set(rows.map((r) => Number(r.version)));
        for (const migration of MYSQL_MIGRATIONS) {
          if (applied.has(migration.version)) continue;
          // MySQL DDL commits implicitly; statements are written to be re-runnable instead.
          for (const statement of migration.statements) await conn.query(statement);
          if (migration.version === SEARCH_BACKFILL_VERSION) await backfillMessageSearch(conn);
          await conn.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
            migration.version,
            migration.name,
            Date.now(),
          ]);
        }
      } finally {
        // A dead connection has released the lock already; keep the original error.
        await conn.query('DO RELEASE_LOCK(CONCAT(?, DATABASE()))', [lockName]).catch(() => undefined);
      }
    });
  }

  /** Queued messages and lookups are committed (or fail) before the pools go. */
  close(): Promise<void> {
    return this.conn.close();
  }

  async ping(): Promise<void> {
    await this.conn.select('SELECT 1', []);
  }
}
