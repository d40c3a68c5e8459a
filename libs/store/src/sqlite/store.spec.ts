import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from '../migrations/sqlite';
import { SqliteStore } from './store';
import { describeSharedStoreContract } from '../testing/shared-store.contract';
import { describeStoreContract } from '../testing/store.contract';
import { PRE_RICH_MESSAGES_SQL, expectPreRichMessagesMigrated } from '../testing/pre-rich-messages';

describeStoreContract('sqlite (:memory:)', async () => {
  const store = new SqliteStore({ filename: ':memory:' });
  return { store, cleanup: () => store.close() };
});

describeStoreContract('sqlite (file, WAL)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-sqlite-'));
  const store = new SqliteStore({ filename: join(dir, 'parley.db') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describeSharedStoreContract('sqlite file (several nodes of one embedded process)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-sqlite-'));
  const file = join(dir, 'shared.db');
  const stores: [SqliteStore, SqliteStore] = [new SqliteStore({ filename: file }), new SqliteStore({ filename: file })];
  return {
    stores,
    cleanup: async () => {
      await Promise.all(stores.map((s) => s.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteStore', () => {
  it('reports a closed store as UNAVAILABLE', async () => {
    const store = new SqliteStore({ filename: ':memory:' });
    await store.close();
    await expect(store.ping()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('makes the folder of its file when it is missing (a fresh clone has no data/), owner-only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-sqlite-'));
    const file = join(dir, 'not', 'yet', 'parley.db');
    const store = new SqliteStore({ filename: file });
    try {
      await store.migrate();
      await store.ping();
      expect(statSync(join(dir, 'not', 'yet')).mode & 0o777).toBe(0o700);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SqliteStore migrations 5 and 6', () => {
  it('make the messages stored before searchable (searchTextOf, not ASCII LOWER) and readable with the new columns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-sqlite-'));
    const file = join(dir, 'old.db');
    try {
      const old = new Database(file);
      old.exec('CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
      for (const migration of SQLITE_MIGRATIONS.slice(0, 4)) {
        for (const statement of migration.statements) old.exec(statement);
        old.prepare('INSERT INTO schema_migrations VALUES (?, ?, 1)').run(migration.version, migration.name);
      }
      for (const id of ['A', 'B']) old.prepare(`INSERT INTO users (id, username, display_name, password_hash, created_at) VALUES (?, ?, ?, 'h', 1)`).run(id, id, id);
      for (const statement of PRE_RICH_MESSAGES_SQL) old.exec(statement);
      old.close();
      await expectPreRichMessagesMigrated(new SqliteStore({ filename: file }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
