import type { NewMessage, Store } from '@parley/domain';
import { directConversationId, groupConversationId, type Message } from '@parley/protocol';
import { at } from '@parley/testing';
import type { StoreContractContext } from './contract-context';

/** MessageStore.applyChange: edits, recalls, reactions and deletions as seq'd entries, and the current state reads answer. */
export function describeChangesContract(ctx: StoreContractContext): void {
  const { createUser, nextId, directMessage, expectRefusal, change } = ctx;

  describe('MessageStore changes', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store();
    });

    const send = async (message: NewMessage): Promise<Message> => (await store.appendMessage(message)).message;
    const pair = async () => {
      const [a, b] = [await createUser(), await createUser()];
      return { a: a.id, b: b.id, conversationId: directConversationId(a.id, b.id) };
    };
    const history = (viewer: string, conversationId: string) => store.getMessages(viewer, conversationId, { afterSeq: 0, limit: 100 });

    it('edits: an entry with the next seq and the new text, the target edited in every read, earlier texts kept', async () => {
      const { a, b, conversationId } = await pair();
      const original = await send(directMessage(a, b, { body: { text: 'helo' } }));
      const first = await store.applyChange(change(original, a, { type: 'edit', text: 'hello' }));
      expect(first.entry).toMatchObject({
        conversationId,
        seq: 2,
        senderId: a,
        kind: 'change',
        body: { text: 'hello' },
        change: { type: 'edit', messageId: original.id },
      });
      expect(first.entry?.clientMsgId).toBe(`chg:${first.entry?.id}`);
      expect(first.target).toMatchObject({ id: original.id, seq: 1, body: { text: 'hello' }, editedAt: first.entry?.createdAt });
      const second = await store.applyChange(change(original, a, { type: 'edit', text: 'hello!' }));
      expect((await history(b, conversationId)).map((m) => [m.seq, m.kind, m.body.text])).toEqual([
        [1, 'text', 'hello!'],
        [2, 'change', 'hello'],
        [3, 'change', 'hello!'],
      ]);
      expect(await store.getMessageVersions(original.id)).toEqual([
        { text: 'helo', editedAt: first.entry?.createdAt },
        { text: 'hello', editedAt: second.entry?.createdAt },
      ]);
      expect(await store.findMessageByClientMsgId(a, original.clientMsgId)).toMatchObject({ body: { text: 'hello!' }, editedAt: second.entry?.createdAt });
      expect(await store.getMessageVersions('nothing')).toEqual([]);
    });

    it('answers a change that changes nothing with no entry: the same text, a reaction already there or not, a second recall or delete', async () => {
      const { a, b, conversationId } = await pair();
      const m = await send(directMessage(a, b, { body: { text: 'same' } }));
      expect(await store.applyChange(change(m, a, { type: 'edit', text: 'same' }))).toEqual({ entry: null, target: m });
      expect((await store.applyChange(change(m, b, { type: 'reaction', emoji: '👍', on: false }))).entry).toBeNull();
      expect((await store.applyChange(change(m, b, { type: 'reaction', emoji: '👍', on: true }))).entry).not.toBeNull();
      expect((await store.applyChange(change(m, b, { type: 'reaction', emoji: '👍', on: true }))).entry).toBeNull();
      expect((await store.applyChange(change(m, b, { type: 'delete' }))).entry).not.toBeNull();
      const again = await store.applyChange(change(m, b, { type: 'delete' }));
      expect(again.entry).toBeNull();
      expect(again.target).toMatchObject({ id: m.id, deleted: true });
      expect((await store.applyChange(change(m, a, { type: 'recall' }))).entry).not.toBeNull();
      const recalledAgain = await store.applyChange(change(m, a, { type: 'recall' }));
      expect(recalledAgain.entry).toBeNull();
      expect(recalledAgain.target).toMatchObject({ recalled: true });
      expect((await store.getMemberConversation(a, conversationId))?.lastSeq).toBe(4);
    });

    it('recalls: a tombstone with no text, no versions, no reactions, no mentions; edit entries wiped; quotes show it', async () => {
      const { a, b, conversationId } = await pair();
      const m = await send(directMessage(a, b, { body: { text: 'oops secret' }, mentions: [b] }));
      const reply = await send(directMessage(b, a, { body: { text: 'what?' }, replyTo: m.id }));
      expect(reply.quote).toEqual({ messageId: m.id, senderId: a, kind: 'text', text: 'oops secret' });
      await store.applyChange(change(m, a, { type: 'edit', text: 'oops secret 2' }));
      await store.applyChange(change(m, b, { type: 'reaction', emoji: '😮', on: true }));
      const recalled = await store.applyChange(change(m, a, { type: 'recall' }));
      expect(recalled.entry).toMatchObject({ kind: 'change', body: { text: '' }, change: { type: 'recall', messageId: m.id } });
      expect(recalled.target).toMatchObject({ id: m.id, kind: 'text', recalled: true, body: { text: '' } });
      expect(recalled.target.reactions).toBeUndefined();
      expect(recalled.target.mentions).toBeUndefined();
      expect(recalled.removedUploadId).toBeUndefined();
      expect(await store.getMessageVersions(m.id)).toEqual([]);
      const all = await history(b, conversationId);
      expect(all.map((x) => x.body.text)).toEqual(['', 'what?', '', '', '']);
      expect(all.find((x) => x.id === reply.id)?.quote).toEqual({ messageId: m.id, senderId: a, kind: 'text', text: '', recalled: true });
      await expectRefusal(store.applyChange(change(m, a, { type: 'edit', text: 'back' })), 'CONFLICT', 'message-recalled');
      await expectRefusal(store.applyChange(change(m, b, { type: 'reaction', emoji: '👍', on: true })), 'CONFLICT', 'message-recalled');
    });

    it('recalling an image answers its upload to discard and drops the attachment', async () => {
      const { a, b } = await pair();
      const attachment = { id: nextId('UP'), name: 'cat.png', mime: 'image/png', size: 10, width: 2, height: 2, thumbnail: true };
      const m = await send(directMessage(a, b, { kind: 'image', body: { text: 'look', caption: 'look', attachment } }));
      expect(m.body.attachment).toEqual(attachment);
      await expectRefusal(store.applyChange(change(m, a, { type: 'edit', text: 'x' })), 'INVALID_ARGUMENT', 'not-editable');
      const recalled = await store.applyChange(change(m, a, { type: 'recall' }));
      expect(recalled.removedUploadId).toBe(attachment.id);
      expect(recalled.target).toMatchObject({ kind: 'image', recalled: true, body: { text: '' } });
      expect(recalled.target.body.attachment).toBeUndefined();
    });

    it('keeps reactions in first-appearance order with their users in reaction order, within the limits', async () => {
      const { a, b, conversationId } = await pair();
      const m = await send(directMessage(a, b));
      const react = (user: string, emoji: string, on = true) => store.applyChange(change(m, user, { type: 'reaction', emoji, on }));
      await react(b, '👍');
      await react(a, '❤️');
      await react(a, '👍');
      const off = await react(b, '👍', false);
      expect(off.entry?.change).toEqual({ type: 'reaction', messageId: m.id, emoji: '👍', on: false });
      await react(b, '👍');
      const [read] = await store.getMessagesByIds(b, [m.id]);
      // b's first 👍 was taken off: among the reactions there now, ❤️ came first.
      expect(read?.reactions).toEqual([
        { emoji: '❤️', userIds: [a] },
        { emoji: '👍', userIds: [a, b] },
      ]);
      for (let i = 0; i < 8; i++) await react(a, `e${i}`);
      await expectRefusal(react(a, 'one-too-many'), 'CONFLICT', 'too-many-reactions');
      // b holds 👍 and f0..f8: ten, so f9 is one too many.
      for (let i = 0; i < 9; i++) await react(b, `f${i}`);
      await expectRefusal(react(b, 'f9'), 'CONFLICT', 'too-many-reactions');
      const [after] = await store.getMessagesByIds(a, [m.id]);
      expect(after?.reactions?.filter((r) => r.userIds.includes(b))).toHaveLength(10);
      const c = await createUser();
      const g = await ctx.newGroup(c.id, [a, b]);
      const gm = await send({ ...directMessage(c.id, a), conversationId: groupConversationId(g), conversationType: 'group', memberIds: [] });
      for (let i = 0; i < 20; i++) await store.applyChange(change(gm, [a, b, c.id][i % 3] ?? a, { type: 'reaction', emoji: `g${i}`, on: true }));
      await expectRefusal(store.applyChange(change(gm, c.id, { type: 'reaction', emoji: 'g20', on: true })), 'CONFLICT', 'too-many-reactions');
      // An emoji already there is no new emoji.
      expect((await store.applyChange(change(gm, c.id, { type: 'reaction', emoji: 'g0', on: true }))).entry).not.toBeNull();
      expect((await store.getMemberConversation(a, conversationId))?.lastSeq).toBeGreaterThan(1);
    });

    it('deletes for the actor only: gone from their reads, digests and search; the entry only they see', async () => {
      const { a, b, conversationId } = await pair();
      const m1 = await send(directMessage(a, b, { body: { text: 'keep this' } }));
      const m2 = await send(directMessage(a, b, { body: { text: 'forget zebra' } }));
      const deleted = await store.applyChange(change(m2, b, { type: 'delete' }));
      expect(deleted.entry).toMatchObject({ seq: 3, senderId: b, change: { type: 'delete', messageId: m2.id } });
      expect(deleted.target).toMatchObject({ id: m2.id, deleted: true });
      expect((await history(b, conversationId)).map((m) => m.seq)).toEqual([1, 3]);
      expect((await history(a, conversationId)).map((m) => m.seq)).toEqual([1, 2]);
      expect((await store.getMessagesAfter(b, [{ conversationId, afterSeq: 0 }], 10))[0]?.map((m) => m.seq)).toEqual([1, 3]);
      expect((await store.getMessagesByIds(b, [m1.id, m2.id])).map((m) => m.id)).toEqual([m1.id]);
      expect((await store.getMessagesByIds(a, [m1.id, m2.id])).map((m) => m.id).sort()).toEqual([m1.id, m2.id]);
      const [forB] = await store.getConversationDigests(b, [{ conversationId, readSeq: 0 }]);
      expect(forB).toMatchObject({ unread: 1, lastMessage: { id: m1.id } });
      expect(await store.searchMessages(b, { q: 'zebra', limit: 10 })).toEqual([]);
      expect((await store.searchMessages(a, { q: 'zebra', limit: 10 })).map((m) => m.id)).toEqual([m2.id]);
      // Hidden from b: b can change it no further.
      await expectRefusal(store.applyChange(change(m2, b, { type: 'reaction', emoji: '👍', on: true })), 'NOT_FOUND', 'message-not-found');
    });

    it('getMessageForActor: the current state and whether the actor hid it, whoever asks; never another member\'s delete entry', async () => {
      const { a, b } = await pair();
      const m = await send(directMessage(a, b, { body: { text: 'first' } }));
      await store.applyChange(change(m, a, { type: 'edit', text: 'second' }));
      expect(await store.getMessageForActor(b, m.id)).toEqual({ message: expect.objectContaining({ id: m.id, body: { text: 'second' } }), hiddenForActor: false });
      const deleted = await store.applyChange(change(m, b, { type: 'delete' }));
      expect(await store.getMessageForActor(b, m.id)).toMatchObject({ message: { id: m.id, body: { text: 'second' } }, hiddenForActor: true });
      expect((await store.getMessageForActor(b, m.id))?.message.deleted).toBeUndefined();
      expect(await store.getMessageForActor(a, m.id)).toMatchObject({ hiddenForActor: false });
      // No membership filter: the domain checks it.
      const stranger = await createUser();
      expect(await store.getMessageForActor(stranger.id, m.id)).toMatchObject({ message: { id: m.id }, hiddenForActor: false });
      const entryId = deleted.entry?.id ?? 'none';
      expect(await store.getMessageForActor(b, entryId)).toMatchObject({ message: { id: entryId, change: { type: 'delete' } } });
      expect(await store.getMessageForActor(a, entryId)).toBeNull();
      expect(await store.getMessageForActor(a, 'missing')).toBeNull();
    });

    it('quotes only a target of the same conversation', async () => {
      const { a, b } = await pair();
      const elsewhere = await send(directMessage(a, (await createUser()).id, { body: { text: 'private' } }));
      const reply = await send(directMessage(a, b, { body: { text: 're' }, replyTo: elsewhere.id }));
      expect(reply.quote).toBeUndefined();
      const [read] = await store.getMessagesByIds(b, [reply.id]);
      expect(read?.replyTo).toBe(elsewhere.id);
      expect(read?.quote).toBeUndefined();
    });

    it('refuses targets that are not content messages of the conversation', async () => {
      const { a, b } = await pair();
      const m = await send(directMessage(a, b));
      const edit = await store.applyChange(change(m, a, { type: 'edit', text: 'x' }));
      const entry = edit.entry as Message;
      await expectRefusal(store.applyChange(change(entry, a, { type: 'reaction', emoji: '👍', on: true })), 'NOT_FOUND', 'message-not-found');
      await expectRefusal(store.applyChange({ ...change(m, a, { type: 'recall' }), targetId: 'missing' }), 'NOT_FOUND', 'message-not-found');
      const other = await pair();
      await expectRefusal(
        store.applyChange({ ...change(m, a, { type: 'recall' }), conversationId: other.conversationId }),
        'NOT_FOUND',
        'message-not-found',
      );
    });

    it('leaves last_message_at alone: a reaction does not reorder the chat list', async () => {
      const [me, p1, p2] = [await createUser(), await createUser(), await createUser()];
      const old = await send(directMessage(p1.id, me.id));
      await send(directMessage(p2.id, me.id));
      const before = await store.listMemberConversations(me.id);
      await store.applyChange(change(old, me.id, { type: 'reaction', emoji: '👍', on: true }));
      await store.applyChange(change(old, p1.id, { type: 'edit', text: 'edited' }));
      const list = await store.listMemberConversations(me.id);
      expect(list.map((c) => [c.conversationId, c.lastMessageAt])).toEqual(before.map((c) => [c.conversationId, c.lastMessageAt]));
      expect(list.find((c) => c.conversationId === old.conversationId)?.lastSeq).toBe(3);
    });

    it('gives concurrent changes and appends distinct increasing seqs, and each change once', async () => {
      const { a, b, conversationId } = await pair();
      const m = await send(directMessage(a, b));
      const results = await Promise.all([
        ...Array.from({ length: 20 }, (_, i) => store.applyChange(change(m, i % 2 ? a : b, { type: 'reaction', emoji: `r${i % 5}`, on: true }))),
        ...Array.from({ length: 20 }, (_, i) => store.appendMessage(directMessage(i % 2 ? a : b, i % 2 ? b : a))),
      ]);
      const seqs = results.map((r) => ('entry' in r ? r.entry?.seq : r.message.seq)).filter((s): s is number => s !== undefined);
      expect(new Set(seqs).size).toBe(seqs.length);
      // 5 emoji x 2 users: 10 distinct reactions, the 10 repeats changed nothing.
      expect(results.filter((r) => 'entry' in r && r.entry !== null)).toHaveLength(10);
      const all = await history(a, conversationId);
      expect(all.map((x) => x.seq)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
      expect(at(all, 0, 'message').reactions?.flatMap((r) => r.userIds)).toHaveLength(10);
    });
  });
}
