import type { Store } from '@parley/domain';
import { QUOTE_SNIPPET_LENGTH, directConversationId, groupConversationId } from '@parley/protocol';
import type { StoreContractContext } from './contract-context';

/** MessageStore: seq'd messages, conversations and cursors. */
export function describeMessageStoreContract(ctx: StoreContractContext): void {
  const { createUser, nextId, directMessage, expectRefusal } = ctx;

  describe('MessageStore', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store();
    });

    describe('messages', () => {
      it('numbers a direct conversation 1..n and creates it with both members on the first message', async () => {
        const [a, b] = [await createUser(), await createUser()];
        const seqs: number[] = [];
        for (let i = 0; i < 3; i++) {
          const from = i === 1 ? b : a;
          const to = i === 1 ? a : b;
          const result = await store.appendMessage(directMessage(from.id, to.id, { body: { text: `m${i} ✓` } }));
          expect(result.duplicate).toBe(false);
          seqs.push(result.message.seq);
        }
        expect(seqs).toEqual([1, 2, 3]);
        const conversationId = directConversationId(a.id, b.id);
        const history = await store.getMessages(a.id, conversationId, { afterSeq: 0, limit: 10 });
        expect(history.map((m) => [m.seq, m.senderId, m.body.text])).toEqual([
          [1, a.id, 'm0 ✓'],
          [2, b.id, 'm1 ✓'],
          [3, a.id, 'm2 ✓'],
        ]);
        const forA = await store.getMemberConversation(a.id, conversationId);
        expect(forA).toMatchObject({ type: 'direct', peerId: b.id, groupId: null, lastSeq: 3 });
        expect(forA?.lastMessageAt).toBe(history[2]?.createdAt);
        // Each sender has read up to their own latest message.
        expect(forA).toMatchObject({ deliveredSeq: 3, readSeq: 3, peerReadSeq: 2 });
        expect(await store.getMemberConversation(b.id, conversationId)).toMatchObject({
          peerId: a.id,
          peerReadSeq: 3,
          deliveredSeq: 2,
          readSeq: 2,
        });
      });

      it('returns the original message for a repeated clientMsgId, storing nothing twice', async () => {
        const [a, b] = [await createUser(), await createUser()];
        const first = await store.appendMessage(directMessage(a.id, b.id, { clientMsgId: 'retry-1' }));
        const again = await store.appendMessage(
          directMessage(a.id, b.id, { clientMsgId: 'retry-1', body: { text: 'different' } }),
        );
        expect(again).toEqual({ message: first.message, duplicate: true });
        expect(await store.findMessageByClientMsgId(a.id, 'retry-1')).toEqual(first.message);
        expect(await store.findMessageByClientMsgId(b.id, 'never-sent')).toBeNull();
        // Another sender may use the same clientMsgId.
        const fromB = await store.appendMessage(directMessage(b.id, a.id, { clientMsgId: 'retry-1' }));
        expect(fromB).toMatchObject({ duplicate: false, message: { seq: 2 } });
        expect(await store.getMessages(a.id, first.message.conversationId, { afterSeq: 0, limit: 10 })).toHaveLength(2);
      });

      it('stores exactly one message when identical sends race', async () => {
        const [a, b] = [await createUser(), await createUser()];
        const results = await Promise.all(
          Array.from({ length: 8 }, () => store.appendMessage(directMessage(a.id, b.id, { clientMsgId: 'race' }))),
        );
        expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
        expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
        expect(results.every((r) => r.message.seq === 1)).toBe(true);
        expect((await store.getMemberConversation(a.id, directConversationId(a.id, b.id)))?.lastSeq).toBe(1);
      });

      it('gives 50 concurrent sends to a new conversation the seqs 1..50', async () => {
        const [a, b] = [await createUser(), await createUser()];
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            store.appendMessage(i % 2 ? directMessage(a.id, b.id) : directMessage(b.id, a.id)),
          ),
        );
        const seqs = results.map((r) => r.message.seq).sort((x, y) => x - y);
        expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        const stored = await store.getMessages(a.id, directConversationId(a.id, b.id), { afterSeq: 0, limit: 100 });
        expect(stored.map((m) => m.seq)).toEqual(seqs);
        expect((await store.getMemberConversation(a.id, directConversationId(a.id, b.id)))?.lastSeq).toBe(50);
      });

      it('appends to a group conversation created with the group', async () => {
        const [owner, member] = [await createUser(), await createUser()];
        const groupId = nextId('G');
        await store.createGroup({ id: groupId, name: 'G', ownerId: owner.id, memberIds: [member.id], createdAt: 1 });
        const conversationId = groupConversationId(groupId);
        const sent = await store.appendMessage({
          ...directMessage(member.id, owner.id),
          conversationId,
          conversationType: 'group',
          memberIds: [],
        });
        expect(sent.message).toMatchObject({ conversationId, seq: 1, senderId: member.id });
        expect(await store.getMemberConversation(owner.id, conversationId)).toMatchObject({ lastSeq: 1, readSeq: 0 });
        expect(await store.getMemberConversation(member.id, conversationId)).toMatchObject({ lastSeq: 1, readSeq: 1 });
      });

      it('rejects a new direct conversation with an unknown member', async () => {
        const a = await createUser();
        await expectRefusal(store.appendMessage(directMessage(a.id, 'nobody')), 'NOT_FOUND', 'referenced-missing');
        expect(await store.listMemberConversations(a.id)).toEqual([]);
      });

      it('pages history before and after a seq, always ascending', async () => {
        const [a, b] = [await createUser(), await createUser()];
        for (let i = 0; i < 10; i++) await store.appendMessage(directMessage(a.id, b.id));
        const id = directConversationId(a.id, b.id);
        const seqsOf = async (range: Parameters<Store['getMessages']>[2]): Promise<number[]> =>
          (await store.getMessages(a.id, id, range)).map((m) => m.seq);
        expect(await seqsOf({ beforeSeq: 8, limit: 3 })).toEqual([5, 6, 7]);
        expect(await seqsOf({ beforeSeq: 3, limit: 5 })).toEqual([1, 2]);
        expect(await seqsOf({ afterSeq: 3, limit: 2 })).toEqual([4, 5]);
        expect(await seqsOf({ afterSeq: 2, beforeSeq: 6, limit: 10 })).toEqual([3, 4, 5]);
        expect(await seqsOf({ afterSeq: 10, limit: 5 })).toEqual([]);
        expect(await seqsOf({ limit: 3 })).toEqual([8, 9, 10]);
        expect(await store.getMessages(a.id, 'd:nobody:none', { afterSeq: 0, limit: 5 })).toEqual([]);
      });

      it('reads the pages after given seqs of several conversations at once', async () => {
        const [a, b, c] = [await createUser(), await createUser(), await createUser()];
        for (let i = 0; i < 6; i++) await store.appendMessage(directMessage(a.id, b.id));
        for (let i = 0; i < 2; i++) await store.appendMessage(directMessage(c.id, a.id));
        const ab = directConversationId(a.id, b.id);
        const ac = directConversationId(a.id, c.id);
        const pages = await store.getMessagesAfter(
          a.id,
          [
            { conversationId: ab, afterSeq: 1 },
            { conversationId: 'd:nobody:none', afterSeq: 0 },
            { conversationId: ac, afterSeq: 0 },
            { conversationId: ab, afterSeq: 4 },
          ],
          3,
        );
        expect(pages.map((page) => page.map((m) => [m.conversationId, m.seq]))).toEqual([
          [[ab, 2], [ab, 3], [ab, 4]],
          [],
          [[ac, 1], [ac, 2]],
          [[ab, 5], [ab, 6]],
        ]);
        expect(pages[0]).toEqual(await store.getMessages(a.id, ab, { afterSeq: 1, limit: 3 }));
        expect(await store.getMessagesAfter(a.id, [], 3)).toEqual([]);
      });

      it('stores replies with the quote of their target and mentions, also when many are sent at once', async () => {
        const [a, b] = [await createUser(), await createUser()];
        const long = 'x'.repeat(QUOTE_SNIPPET_LENGTH) + 'tail';
        const target = (await store.appendMessage(directMessage(a.id, b.id, { body: { text: long } }))).message;
        const image = (
          await store.appendMessage(
            directMessage(a.id, b.id, { kind: 'image', body: { text: '', attachment: { id: nextId('UP'), name: 'a.png', mime: 'image/png', size: 1 } } }),
          )
        ).message;
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.appendMessage(directMessage(b.id, a.id, { replyTo: i % 2 ? target.id : image.id, mentions: i % 3 ? [a.id] : [] })),
          ),
        );
        for (const [i, { message }] of results.entries()) {
          const quoted = i % 2 ? target : image;
          expect(message.replyTo).toBe(quoted.id);
          expect(message.quote).toEqual({
            messageId: quoted.id,
            senderId: a.id,
            kind: quoted.kind,
            text: quoted.body.text.slice(0, QUOTE_SNIPPET_LENGTH),
            ...(quoted.body.attachment ? { attachment: quoted.body.attachment } : {}),
          });
          expect(message.mentions).toEqual(i % 3 ? [a.id] : undefined);
        }
        const stored = await store.getMessagesByIds(a.id, results.map((r) => r.message.id));
        expect(stored.sort((x, y) => x.seq - y.seq)).toEqual(results.map((r) => r.message).sort((x, y) => x.seq - y.seq));
        // A retry answers the stored message in its current state, quote included.
        const again = await store.appendMessage(directMessage(b.id, a.id, { clientMsgId: results[0]?.message.clientMsgId ?? '' }));
        expect(again).toEqual({ message: results[0]?.message, duplicate: true });
      });

      it('returns the last message of each conversation asked for', async () => {
        const [a, b, c] = [await createUser(), await createUser(), await createUser()];
        await store.appendMessage(directMessage(a.id, b.id));
        const lastAb = await store.appendMessage(directMessage(b.id, a.id));
        const lastAc = await store.appendMessage(directMessage(a.id, c.id));
        const digests = await store.getConversationDigests(a.id, [
          { conversationId: lastAb.message.conversationId, readSeq: 0 },
          { conversationId: lastAc.message.conversationId, readSeq: 0 },
          { conversationId: 'd:x:y', readSeq: 0 },
        ]);
        expect(digests.map((d) => d.lastMessage)).toEqual([lastAb.message, lastAc.message, null]);
        expect(await store.getConversationDigests(a.id, [])).toEqual([]);
      });
    });

    describe('member conversations and cursors', () => {
      it('lists a member\'s conversations, most recent activity first', async () => {
        const [me, p1, p2, owner] = [await createUser(), await createUser(), await createUser(), await createUser()];
        const groupId = nextId('G');
        await store.createGroup({ id: groupId, name: 'quiet', ownerId: owner.id, memberIds: [me.id], createdAt: 1 });
        await store.appendMessage(directMessage(p1.id, me.id));
        await store.appendMessage(directMessage(p2.id, me.id));
        await store.appendMessage(directMessage(p2.id, me.id));
        const list = await store.listMemberConversations(me.id);
        expect(list.map((c) => [c.conversationId, c.peerId, c.lastSeq, c.readSeq])).toEqual([
          [directConversationId(me.id, p2.id), p2.id, 2, 0],
          [directConversationId(me.id, p1.id), p1.id, 1, 0],
          [groupConversationId(groupId), null, 0, 0],
        ]);
        expect(await store.getMemberConversation(me.id, 'd:nobody:none')).toBeNull();
        expect(await store.getMemberConversation(owner.id, directConversationId(me.id, p1.id))).toBeNull();
      });

      it('moves cursors forward only and never past the last seq', async () => {
        const [a, b] = [await createUser(), await createUser()];
        for (let i = 0; i < 4; i++) await store.appendMessage(directMessage(a.id, b.id));
        const id = directConversationId(a.id, b.id);
        await store.advanceCursor(b.id, id, 'delivered', 3);
        await store.advanceCursor(b.id, id, 'read', 2);
        expect(await store.getMemberConversation(b.id, id)).toMatchObject({ deliveredSeq: 3, readSeq: 2 });
        await store.advanceCursor(b.id, id, 'delivered', 1);
        await store.advanceCursor(b.id, id, 'read', 1);
        expect(await store.getMemberConversation(b.id, id)).toMatchObject({ deliveredSeq: 3, readSeq: 2 });
        await store.advanceCursor(b.id, id, 'read', 99); // read implies delivered
        expect(await store.getMemberConversation(b.id, id)).toMatchObject({ deliveredSeq: 4, readSeq: 4, lastSeq: 4 });
        await store.advanceCursor(b.id, id, 'delivered', 99);
        expect(await store.getMemberConversation(b.id, id)).toMatchObject({ deliveredSeq: 4, readSeq: 4, lastSeq: 4 });
      });

      it('rejects cursors of non-members and unknown conversations', async () => {
        const [a, b, outsider] = [await createUser(), await createUser(), await createUser()];
        await store.appendMessage(directMessage(a.id, b.id));
        await expectRefusal(store.advanceCursor(outsider.id, directConversationId(a.id, b.id), 'read', 1), 'NOT_FOUND', 'not-in-conversation');
        await expectRefusal(store.advanceCursor(a.id, 'd:nobody:none', 'delivered', 1), 'NOT_FOUND', 'not-in-conversation');
      });
    });
  });
}
