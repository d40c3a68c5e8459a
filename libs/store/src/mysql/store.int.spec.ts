import { createServer, type Server, type Socket } from 'node:net';
import { createTestDatabase, findFreePort, startMariadb } from '@parley/testing';
import { createConnection } from 'mysql2/promise';
import { MYSQL_MIGRATIONS } from '../migrations/mysql';
import { MysqlStore } from './store';
import { describeSharedStoreContract } from '../testing/shared-store.contract';
import { describeStoreContract } from '../testing/store.contract';
import { PRE_RICH_MESSAGES_SQL, expectPreRichMessagesMigrated } from '../testing/pre-rich-messages';

const serverUrl = (): string => {
  const url = process.env.PARLEY_TEST_MYSQL_URL;
  if (!url) throw new Error('PARLEY_TEST_MYSQL_URL is not set (the jest global setup starts MariaDB)');
  return url;
};

describeStoreContract('mysql', async () => {
  const database = await createTestDatabase(serverUrl());
  const store = new MysqlStore({ url: database.url });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await database.drop();
    },
  };
});

// Migrations of two nodes at once are serialized by GET_LOCK.
describeSharedStoreContract('mysql (two nodes of a cluster)', async () => {
  const database = await createTestDatabase(serverUrl());
  const stores: [MysqlStore, MysqlStore] = [new MysqlStore({ url: database.url }), new MysqlStore({ url: database.url })];
  return {
    stores,
    cleanup: async () => {
      await Promise.all(stores.map((s) => s.close()));
      await database.drop();
    },
  };
});

describe('MysqlStore', () => {
  it('turns a server that went away into UNAVAILABLE, without crashing on idle pooled connections', async () => {
    const server = await startMariadb();
    const database = await createTestDatabase(server.url);
    const store = new MysqlStore({ url: database.url, connectTimeoutMs: 1_000, maxBatchSize: 4, maxConcurrentBatches: 2 });
    try {
      await store.migrate();
      await Promise.all([store.ping(), store.ping(), store.ping()]);
      await store.createUser({ id: 'A', username: 'ann', displayName: 'Ann', passwordHash: 'h', createdAt: 1 });
      await store.createUser({ id: 'B', username: 'ben', displayName: 'Ben', passwordHash: 'h', createdAt: 1 });
      const message = (n: number) => ({
        id: `M${n}`, conversationId: 'd:A:B', conversationType: 'direct' as const, memberIds: ['A', 'B'], senderId: 'A',
        kind: 'text' as const, body: { text: String(n) }, clientMsgId: `c${n}`, createdAt: n,
      });
      await expect(store.appendMessage(message(0))).resolves.toMatchObject({ message: { seq: 1 } });
      await server.stop();
      await expect(store.ping()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      await expect(store.getUser('x')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      // Queued sends (several group-commit batches) all fail with UNAVAILABLE; none is acked.
      const outcomes = await Promise.allSettled(Array.from({ length: 30 }, (_, n) => store.appendMessage(message(n + 1))));
      expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { code?: string }).code : 'acked'))).toEqual(
        Array.from({ length: 30 }, () => 'UNAVAILABLE'),
      );
    } finally {
      await store.close();
      await server.stop();
    }
  });

  it('requires a database in the url', () => {
    expect(() => new MysqlStore({ url: 'mysql://root@127.0.0.1:3306/' })).toThrow(/database/);
  });

  it('rejects with UNAVAILABLE within a few seconds when nothing listens', async () => {
    const port = await findFreePort();
    const store = new MysqlStore({ url: `mysql://root@127.0.0.1:${port}/parley` });
    const started = Date.now();
    try {
      await expect(store.ping()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      await expect(store.getUser('x')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      await expect(store.appendMessage({
        id: 'M', conversationId: 'd:A:B', conversationType: 'direct', memberIds: ['A', 'B'], senderId: 'A',
        kind: 'text', body: { text: 'x' }, clientMsgId: 'c', createdAt: 1,
      })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await store.close();
    }
  });

  it('rejects with UNAVAILABLE within a few seconds when the server accepts but never answers', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const store = new MysqlStore({ url: `mysql://root@127.0.0.1:${port}/parley`, connectTimeoutMs: 1_000 });
    const started = Date.now();
    try {
      await expect(store.ping()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(4_000);
    } finally {
      await store.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('MysqlStore migrations 5 and 6', () => {
  it('make the messages stored before searchable (bigram words made by the adapter) and readable with the new columns', async () => {
    const database = await createTestDatabase(serverUrl());
    try {
      const old = await createConnection({ uri: database.url });
      try {
        await old.query('CREATE TABLE schema_migrations (version INT NOT NULL PRIMARY KEY, name VARCHAR(128) NOT NULL, applied_at BIGINT NOT NULL)');
        for (const migration of MYSQL_MIGRATIONS.slice(0, 4)) {
          for (const statement of migration.statements) await old.query(statement);
          await old.query('INSERT INTO schema_migrations VALUES (?, ?, 1)', [migration.version, migration.name]);
        }
        await old.query(`INSERT INTO users (id, username, username_key, display_name, password_hash, created_at) VALUES ('A', 'a', 'a', 'A', 'h', 1), ('B', 'b', 'b', 'B', 'h', 1)`);
        for (const statement of PRE_RICH_MESSAGES_SQL) await old.query(statement);
      } finally {
        await old.end();
      }
      await expectPreRichMessagesMigrated(new MysqlStore({ url: database.url }));
    } finally {
      await database.drop();
    }
  });
});
