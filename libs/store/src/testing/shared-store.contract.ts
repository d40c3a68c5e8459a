import type { Store } from '@parley/domain';
import { directConversationId } from '@parley/protocol';

export interface SharedStoresHandle {
  /** Two unmigrated stores over one database (two nodes of a cluster, or of one embedded process). */
  stores: [Store, Store];
  cleanup(): Promise<void>;
}

/** What every engine must get right when several stores share one database. */
export function describeSharedStoreContract(name: string, makeStores: () => Promise<SharedStoresHandle>): void {
  describe(`Stores sharing one database: ${name}`, () => {
    it('migrate together and then share one seq per conversation', async () => {
      const { stores, cleanup } = await makeStores();
      const [first, second] = stores;
      try {
        await Promise.all(stores.map((n) => n.migrate()));
        await first.createUser({ id: 'A', username: 'ann', displayName: 'Ann', passwordHash: 'h', createdAt: 1 });
        await second.createUser({ id: 'B', username: 'ben', displayName: 'Ben', passwordHash: 'h', createdAt: 1 });
        const conversationId = directConversationId('A', 'B');
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 ? second : first).appendMessage({
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
        expect((await second.getMemberConversation('B', conversationId))?.lastSeq).toBe(20);
      } finally {
        await cleanup();
      }
    });
  });
}
