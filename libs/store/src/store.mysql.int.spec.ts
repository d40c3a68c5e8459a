import { createServer, type Server, type Socket } from 'node:net';
import { createTestDatabase, findFreePort, startMariadb } from '@parley/testing';
import { MysqlStore } from './store.mysql';
import { describeStoreContract } from './testing/store.contract';

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

describe('MysqlStore', () => {
  it('lets two stores migrate one database at once (GET_LOCK) and then share seqs', async () => {
    const database = await createTestDatabase(serverUrl());
    const nodes = [new MysqlStore({ url: database.url }), new MysqlStore({ url: database.url })];
    try {
      await Promise.all(nodes.map((n) => n.migrate()));
      await nodes[0].createUser({ id: 'A', username: 'ann', displayName: 'Ann', passwordHash: 'h', createdAt: 1 });
      await nodes[1].createUser({ id: 'B', username: 'ben', displayName: 'Ben', passwordHash: 'h', createdAt: 1 });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          nodes[i % 2].appendMessage({
            id: `M${i}`,
            conversationId: 'd:A:B',
            conversationType: 'direct',
            memberIds: ['A', 'B'],
            senderId: i % 3 ? 'A' : 'B',
            kind: 'text',
            body: { text: String(i) },
            clientMsgId: `c${i}`,
            createdAt: 10 + i,
          }),
        ),
      );
      expect(results.map((r) => r.message.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
      await database.drop();
    }
  });

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
