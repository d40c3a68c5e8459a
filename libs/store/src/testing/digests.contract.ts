import type { Store } from '@parley/domain';
import { MENTION_ALL, directConversationId, groupConversationId } from '@parley/protocol';
import type { StoreContractContext } from './contract-context';

/** MessageStore.getConversationDigests: last message, unread and the "@" marker as one member sees them. */
export function describeDigestsContract(ctx: StoreContractContext): void {
  const { createUser, directMessage, change } = ctx;

  describe('MessageStore digests', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store();
    });


    it('counts at most 1000 unread', async () => {
      const [a, b] = [await createUser(), await createUser()];
      await Promise.all(Array.from({ length: 1003 }, () => store.appendMessage(directMessage(a.id, b.id))));
      const conversationId = directConversationId(a.id, b.id);
      expect(await store.getConversationDigests(b.id, [{ conversationId, readSeq: 0 }])).toMatchObject([{ unread: 1000 }]);
      expect(await store.getConversationDigests(b.id, [{ conversationId, readSeq: 10 }])).toMatchObject([{ unread: 993 }]);
    });

    it('counts content messages after readSeq from others, not hidden, not recalled; change entries never', async () => {
      const [a, b] = [await createUser(), await createUser()];
      const conversationId = directConversationId(a.id, b.id);
      const send = async (from: string, to: string, text: string) => (await store.appendMessage(directMessage(from, to, { body: { text } }))).message;
      const m1 = await send(a.id, b.id, 'one');
      const m2 = await send(a.id, b.id, 'two');
      const m3 = await send(a.id, b.id, 'three');
      await send(b.id, a.id, 'mine');
      await store.applyChange(change(m1, a.id, { type: 'edit', text: 'one!' }));
      await store.applyChange(change(m1, b.id, { type: 'reaction', emoji: '👍', on: true }));
      await store.applyChange(change(m2, a.id, { type: 'recall' }));
      await store.applyChange(change(m3, b.id, { type: 'delete' }));
      const [forB] = await store.getConversationDigests(b.id, [{ conversationId, readSeq: 0 }]);
      expect(forB?.unread).toBe(1);
      expect(forB?.mentioned).toBe(false);
      expect(forB?.lastMessage).toMatchObject({ body: { text: 'mine' }, seq: 4 });
      const [forA] = await store.getConversationDigests(a.id, [{ conversationId, readSeq: 1 }]);
      // m3 (own) and m2 (recalled) never count; b's 'mine' does.
      expect(forA?.unread).toBe(1);
      expect((await store.getConversationDigests(b.id, [{ conversationId, readSeq: 4 }]))[0]?.unread).toBe(0);
      expect(await store.getConversationDigests(b.id, [{ conversationId: 'd:no:body', readSeq: 0 }])).toEqual([
        { conversationId: 'd:no:body', lastMessage: null, unread: 0, mentioned: false },
      ]);
    });

    it('shows the last content message in its current state (a recalled one as a tombstone), never a change entry', async () => {
      const [a, b] = [await createUser(), await createUser()];
      const conversationId = directConversationId(a.id, b.id);
      const m = (await store.appendMessage(directMessage(a.id, b.id, { body: { text: 'first' } }))).message;
      await store.applyChange(change(m, b.id, { type: 'reaction', emoji: '👍', on: true }));
      await store.applyChange(change(m, a.id, { type: 'edit', text: 'first, edited' }));
      const [digest] = await store.getConversationDigests(b.id, [{ conversationId, readSeq: 0 }]);
      expect(digest?.lastMessage).toMatchObject({ id: m.id, body: { text: 'first, edited' }, reactions: [{ emoji: '👍', userIds: [b.id] }] });
      await store.applyChange(change(m, a.id, { type: 'recall' }));
      expect((await store.getConversationDigests(b.id, [{ conversationId, readSeq: 0 }]))[0]).toMatchObject({
        lastMessage: { id: m.id, recalled: true, body: { text: '' } },
        unread: 0,
      });
    });

    it('marks "@" for a mention of the member or @all after readSeq, not for their own, recalled or hidden messages', async () => {
      const [owner, a, b] = [await createUser(), await createUser(), await createUser()];
      const groupId = await ctx.newGroup(owner.id, [a.id, b.id]);
      const conversationId = groupConversationId(groupId);
      const post = async (from: string, mentions?: string[]) =>
        (await store.appendMessage({ ...directMessage(from, owner.id), conversationId, conversationType: 'group', memberIds: [], ...(mentions ? { mentions } : {}) }))
          .message;
      const digest = async (user: string, readSeq: number) => (await store.getConversationDigests(user, [{ conversationId, readSeq }]))[0];
      const toA = await post(owner.id, [a.id, a.id]);
      expect(toA.mentions).toEqual([a.id]);
      expect(await digest(a.id, 0)).toMatchObject({ mentioned: true, unread: 1 });
      expect(await digest(b.id, 0)).toMatchObject({ mentioned: false, unread: 1 });
      expect(await digest(a.id, toA.seq)).toMatchObject({ mentioned: false, unread: 0 });
      const all = await post(owner.id, [MENTION_ALL]);
      expect(await digest(b.id, toA.seq)).toMatchObject({ mentioned: true });
      expect(await digest(owner.id, 0)).toMatchObject({ mentioned: false, unread: 0 });
      await store.applyChange(change(all, b.id, { type: 'delete' }));
      expect(await digest(b.id, toA.seq)).toMatchObject({ mentioned: false, unread: 0 });
      expect(await digest(a.id, toA.seq)).toMatchObject({ mentioned: true });
      await store.applyChange(change(all, owner.id, { type: 'recall' }));
      expect(await digest(a.id, toA.seq)).toMatchObject({ mentioned: false, unread: 0 });
      // Several conversations at once, in the entries' order.
      const other = directConversationId(a.id, b.id);
      await store.appendMessage(directMessage(b.id, a.id, { mentions: [a.id] }));
      const both = await store.getConversationDigests(a.id, [
        { conversationId: other, readSeq: 0 },
        { conversationId, readSeq: 0 },
      ]);
      expect(both.map((d) => [d.conversationId, d.unread, d.mentioned])).toEqual([
        [other, 1, true],
        [conversationId, 1, true],
      ]);
    });
  });
}
