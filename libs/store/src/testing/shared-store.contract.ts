import type { Store } from '@parley/domain';
import { directConversationId } from '@parley/protocol';
import { at } from '@parley/testing';

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

    it("let a suspension on one node end every session the other node's racing sign-ins created", async () => {
      const { stores, cleanup } = await makeStores();
      const [operator, signer] = stores;
      try {
        await Promise.all(stores.map((n) => n.migrate()));
        for (let round = 0; round < 5; round++) {
          const userId = `U${round}`;
          await operator.createUser({ id: userId, username: `user${round}`, displayName: 'U', passwordHash: 'h', createdAt: 1 });
          const attempts = Array.from({ length: 8 }, (_, i) => ({
            id: `S${round}-${i}`, userId, refreshHash: `r${round}-${i}`, createdAt: 2, expiresAt: 1_000, userAgent: null, passwordHash: 'h',
          }));
          const early = attempts.slice(0, round * 2).map((a) => signer.createAuthSession(a));
          const suspending = operator.suspendUser(userId, 3);
          const late = attempts.slice(round * 2).map((a) => signer.createAuthSession(a));
          const [{ sessionIds }] = await Promise.all([suspending, Promise.all([...early, ...late])]);
          for (const a of attempts) {
            const row = await operator.getAuthSession(a.id);
            // Created before the suspension (then revoked by it, and reported), or not at all.
            if (row) expect({ reported: sessionIds.includes(a.id), reason: row.revokeReason }).toEqual({ reported: true, reason: 'suspended' });
          }
          expect(await signer.createAuthSession({ ...at(attempts, 0, 'attempt'), id: `S${round}-late` })).toBeNull();
        }
      } finally {
        await cleanup();
      }
    });
  });
}
