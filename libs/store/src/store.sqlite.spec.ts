import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directConversationId } from '@parley/protocol';
import { SqliteStore } from './store.sqlite';
import { describeStoreContract } from './testing/store.contract';

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

describe('SqliteStore shared by several nodes of one process', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-sqlite-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lets two stores on the same file migrate together and share one seq per conversation', async () => {
    const file = join(dir, 'shared.db');
    const nodes = [new SqliteStore({ filename: file }), new SqliteStore({ filename: file })];
    try {
      await Promise.all(nodes.map((n) => n.migrate()));
      await nodes[0].createUser({ id: 'A', username: 'ann', displayName: 'Ann', passwordHash: 'h', createdAt: 1 });
      await nodes[1].createUser({ id: 'B', username: 'ben', displayName: 'Ben', passwordHash: 'h', createdAt: 1 });
      const conversationId = directConversationId('A', 'B');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          nodes[i % 2].appendMessage({
            id: `M${i}`,
            conversationId,
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
      expect((await nodes[1].getMemberConversation('B', conversationId))?.lastSeq).toBe(20);
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
    }
  });

  it('reports a closed store as UNAVAILABLE', async () => {
    const store = new SqliteStore({ filename: ':memory:' });
    await store.close();
    await expect(store.ping()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
