import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from '../migrations/sqlite';
import { SqliteStore } from './store';
import { describeSharedStoreContract } from '../testing/shared-store.contract';
import { describeStoreContract } from '../testing/store.contract';

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

describe('SqliteStore migration 5', () => {
  it('makes the messages stored before searchable and readable with the new columns', async () => {
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
      old.exec(`INSERT INTO conversations (id, type, last_seq, last_message_at, created_at) VALUES ('d:A:B', 'direct', 2, 2, 1)`);
      old.exec(`INSERT INTO conversation_members (conversation_id, user_id) VALUES ('d:A:B', 'A'), ('d:A:B', 'B')`);
      old.exec(`INSERT INTO messages (id, conversation_id, seq, sender_id, kind, body, client_msg_id, created_at) VALUES
        ('M1', 'd:A:B', 1, 'A', 'text', '{"text":"Old Message 北京"}', 'c1', 1),
        ('M2', 'd:A:B', 2, 'B', 'system', '{"text":"joined"}', 'c2', 2)`);
      old.close();
      const store = new SqliteStore({ filename: file });
      try {
        await store.migrate();
        expect((await store.searchMessages('B', { q: 'old message', limit: 5 })).map((m) => m.id)).toEqual(['M1']);
        expect((await store.searchMessages('B', { q: '北京', limit: 5 })).map((m) => m.id)).toEqual(['M1']);
        expect(await store.searchMessages('B', { q: 'joined', limit: 5 })).toEqual([]);
        expect(await store.getMessages('B', 'd:A:B', { afterSeq: 0, limit: 5 })).toEqual([
          { id: 'M1', conversationId: 'd:A:B', seq: 1, senderId: 'A', kind: 'text', body: { text: 'Old Message 北京' }, clientMsgId: 'c1', createdAt: 1 },
          { id: 'M2', conversationId: 'd:A:B', seq: 2, senderId: 'B', kind: 'system', body: { text: 'joined' }, clientMsgId: 'c2', createdAt: 2 },
        ]);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
