import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ensurePrivateFile, narrowToOwner } from '@parley/util-node';
import { toStoreError } from './errors';

export interface SqliteStoreOptions {
  /**
   * Database file, or ':memory:' for a private in-memory database. Several
   * stores (e.g. IM nodes in one process) may open the same file; an
   * in-memory database can only be shared by sharing the instance.
   */
  filename: string;
  /** How long a writer waits for another connection's lock before UNAVAILABLE. @default 5_000 */
  busyTimeoutMs?: number;
}

/** ':memory:' and '' (a private temporary database) have no file of ours. */
function isFileBacked(filename: string): boolean {
  return filename !== ':memory:' && filename !== '' && !filename.startsWith('file:');
}

/**
 * The database holds password hashes and messages: 0600, in a folder made
 * when missing. SQLite gives its
 * -wal and -shm files the database file's mode, so creating that one 0600
 * covers them; ones left looser by an older run are narrowed too.
 */
function makePrivate(filename: string): void {
  // A missing folder is made (owner-only), so a fresh clone's `nx serve` finds its data/; an existing one is left as it is.
  fs.mkdirSync(path.dirname(filename), { recursive: true, mode: 0o700 });
  ensurePrivateFile(filename);
  for (const companion of [`${filename}-wal`, `${filename}-shm`]) narrowToOwner(companion);
}

/** SQLite's test of membership in a list bound as one JSON array parameter. */
export const IN_JSON = 'IN (SELECT value FROM json_each(?))';

/**
 * One better-sqlite3 connection, shared by the aggregates of a SqliteStore.
 * The driver is synchronous, so each method's transaction runs to
 * completion before any other JavaScript: no interleaving within a process.
 * Write transactions are BEGIN IMMEDIATE so connections to the same file
 * queue on busy_timeout instead of failing on a lock upgrade.
 */
export class SqliteConnection {
  readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(options: SqliteStoreOptions) {
    try {
      if (isFileBacked(options.filename)) makePrivate(options.filename);
      this.db = new Database(options.filename);
      if (options.filename !== ':memory:') this.db.pragma('journal_mode = WAL');
      this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5_000))}`);
      this.db.pragma('foreign_keys = ON');
      // WAL + NORMAL: durable across process crashes, may lose the last commits on power loss.
      this.db.pragma('synchronous = NORMAL');
    } catch (err) {
      throw toStoreError(err);
    }
  }

  /** Prepared statements are compiled once per SQL text. */
  stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs synchronous work as the port's promise, mapping driver errors to ParleyError. */
  run<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(toStoreError(err));
    }
  }

  /** Runs `fn` in a write transaction (BEGIN IMMEDIATE), as the port's promise. */
  write<T>(fn: () => T): Promise<T> {
    return this.run(() => this.db.transaction(fn).immediate());
  }

  /** The first row of a prepared statement, typed, or undefined. */
  get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.stmt(sql).get(...params) as T | undefined;
  }

  /** All rows of a prepared statement, typed. */
  all<T>(sql: string, ...params: unknown[]): T[] {
    return this.stmt(sql).all(...params) as T[];
  }

  close(): void {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }
}
