import type { Store } from '@parley/domain';
import { directConversationId, groupConversationId, type Message } from '@parley/protocol';
import type { StoreContractContext } from './contract-context';

/** MessageStore.searchMessages: substring, case-insensitive, any script, the viewer's conversations only, newest first. */
export function describeSearchContract(ctx: StoreContractContext): void {
  const { createUser, nextId, now, directMessage } = ctx;

  describe('MessageStore search', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store();
    });

    const ids = (messages: Message[]) => messages.map((m) => m.id);

    it('finds substrings case-insensitively in Latin, Chinese and Japanese, for 1-, 2- and 3+-character queries', async () => {
      const [a, b] = [await createUser(), await createUser()];
      const send = async (text: string) => (await store.appendMessage(directMessage(a.id, b.id, { body: { text } }))).message;
      const latin = await send('Meet at the Café TOMORROW');
      const chinese = await send('我们明天去北京吃烤鸭');
      const japanese = await send('東京タワーに行きましょう');
      const wide = await send('ＡＢＣ全角');
      const search = (q: string) => store.searchMessages(b.id, { q, limit: 10 });
      expect(ids(await search('tomorrow'))).toEqual([latin.id]);
      expect(ids(await search('café t'))).toEqual([latin.id]);
      expect(ids(await search('row'))).toEqual([latin.id]);
      expect(ids(await search('北京烤鸭'))).toEqual([]);
      expect(ids(await search('北京'))).toEqual([chinese.id]);
      expect(ids(await search('京'))).toEqual([japanese.id, chinese.id]);
      expect(ids(await search('北京吃烤鸭'))).toEqual([chinese.id]);
      expect(ids(await search('タワー'))).toEqual([japanese.id]);
      expect(ids(await search('タ'))).toEqual([japanese.id]);
      expect(ids(await search('行き'))).toEqual([japanese.id]);
      // NFKC: full-width letters are found by their ASCII form.
      expect(ids(await search('abc'))).toEqual([wide.id]);
    });

    it("matches LIKE's wildcards and escape, and BOOLEAN MODE's operators, as plain characters", async () => {
      const [a, b] = [await createUser(), await createUser()];
      const send = async (text: string) => (await store.appendMessage(directMessage(a.id, b.id, { body: { text } }))).message.id;
      const [percent, fiveOff, underscore, axb, backslash, bang, operators] = [
        await send('50% off'),
        await send('5 off'),
        await send('a_b'),
        await send('axb'),
        await send('c:\\path'),
        await send('wow!'),
        await send('+a -b "c" (d) ~e <f> @g h*'),
      ];
      const search = async (q: string) => ids(await store.searchMessages(b.id, { q, limit: 10 }));
      expect(await search('%')).toEqual([percent]);
      expect(await search('0% off')).toEqual([percent]);
      expect(await search('5 off')).toEqual([fiveOff]);
      expect(await search('_')).toEqual([underscore]);
      expect(await search('a_b')).toEqual([underscore]);
      expect(await search('axb')).toEqual([axb]);
      expect(await search('\\')).toEqual([backslash]);
      expect(await search(':\\pa')).toEqual([backslash]);
      expect(await search('!')).toEqual([bang]);
      expect(await search('w!')).toEqual([bang]);
      for (const op of ['+a', '-b', '"c"', '"', '(d)', '~e', '<f>', '@g', 'h*', '+a -b', '" (']) expect([op, await search(op)]).toEqual([op, [operators]]);
    });

    it('searches only the conversations the viewer belongs to, or the one given; never change entries, recalled or hidden messages', async () => {
      const [a, b, c] = [await createUser(), await createUser(), await createUser()];
      const word = `kiwi${nextId('')}`;
      const inAb = (await store.appendMessage(directMessage(a.id, b.id, { body: { text: `${word} one` } }))).message;
      const inAc = (await store.appendMessage(directMessage(a.id, c.id, { body: { text: `${word} two` } }))).message;
      const groupId = await ctx.newGroup(c.id, [a.id]);
      const inGroup = (
        await store.appendMessage({ ...directMessage(c.id, a.id, { body: { text: `${word} three` } }), conversationId: groupConversationId(groupId), conversationType: 'group', memberIds: [] })
      ).message;
      expect(ids(await store.searchMessages(a.id, { q: word, limit: 10 }))).toEqual([inGroup.id, inAc.id, inAb.id]);
      expect(ids(await store.searchMessages(b.id, { q: word, limit: 10 }))).toEqual([inAb.id]);
      expect(ids(await store.searchMessages(b.id, { q: word, conversationId: directConversationId(a.id, c.id), limit: 10 }))).toEqual([]);
      expect(ids(await store.searchMessages(a.id, { q: word, conversationId: directConversationId(a.id, c.id), limit: 10 }))).toEqual([inAc.id]);
      // An edit's entry carries the text, but only the message is found, with its new text.
      await store.applyChange({ id: nextId('E'), conversationId: inAb.conversationId, actorId: a.id, targetId: inAb.id, type: 'edit', text: `${word} uno`, createdAt: now() });
      const found = await store.searchMessages(b.id, { q: `${word} uno`, limit: 10 });
      expect(found.map((m) => [m.id, m.body.text, m.kind])).toEqual([[inAb.id, `${word} uno`, 'text']]);
      expect(await store.searchMessages(b.id, { q: `${word} one`, limit: 10 })).toEqual([]);
      await store.applyChange({ id: nextId('E'), conversationId: inAc.conversationId, actorId: a.id, targetId: inAc.id, type: 'recall', createdAt: now() });
      await store.applyChange({ id: nextId('E'), conversationId: inGroup.conversationId, actorId: a.id, targetId: inGroup.id, type: 'delete', createdAt: now() });
      expect(ids(await store.searchMessages(a.id, { q: word, limit: 10 }))).toEqual([inAb.id]);
      expect(ids(await store.searchMessages(c.id, { q: word, limit: 10 }))).toEqual([inGroup.id]);
      expect(ids(await store.searchMessages(c.id, { q: word.slice(0, 1), conversationId: inGroup.conversationId, limit: 10 }))).toEqual([inGroup.id]);
    });

    it('pages newest first by id with beforeId', async () => {
      const [a, b] = [await createUser(), await createUser()];
      const word = `plum${nextId('')}`;
      const sent: Message[] = [];
      for (let i = 0; i < 7; i++) sent.push((await store.appendMessage(directMessage(a.id, b.id, { body: { text: `${i} ${word}` } }))).message);
      const newestFirst = ids(sent).reverse();
      const first = await store.searchMessages(b.id, { q: word, limit: 3 });
      expect(ids(first)).toEqual(newestFirst.slice(0, 3));
      const second = await store.searchMessages(b.id, { q: word, limit: 3, beforeId: first[2]?.id });
      expect(ids(second)).toEqual(newestFirst.slice(3, 6));
      const third = await store.searchMessages(b.id, { q: word, limit: 3, beforeId: second[2]?.id });
      expect(ids(third)).toEqual(newestFirst.slice(6));
      // A short query (no index term) pages the same way.
      const short = await store.searchMessages(b.id, { q: word.slice(0, 1), conversationId: directConversationId(a.id, b.id), limit: 4 });
      expect(ids(short)).toEqual(newestFirst.slice(0, 4));
    });
  });
}
