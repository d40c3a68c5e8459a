import type { Message } from '@parley/protocol';
import { World, refusal } from './rich-world';

jest.setTimeout(60_000);

const ids = (results: { message: Message }[]) => results.map((r) => r.message.id);

describe('search and delete for me across two IM nodes (MySQL FULLTEXT over bigrams)', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start('rich-search-e2e');
  }, 90_000);

  afterEach(() => world.disconnectAll());

  afterAll(async () => {
    await world?.stop();
  });

  describe('search', () => {
    it('finds Chinese, Japanese and English text as substrings, case-insensitively, newest first, in my conversations only', async () => {
      const { alice, bob, toBob, toAlice } = await world.pair('srch');
      const zh = await alice.send(toBob, '我们明天下午开会讨论预算');
      const ja = await bob.send(toAlice, '明日の会議は三時からです');
      const en = await alice.send(toBob, 'The Quarterly BUDGET review moved');
      const other = await world.pair('srcho');
      await other.alice.send(other.toBob, '开会 budget 会議 (not yours)');

      expect(ids((await bob.ok('message:search', { q: '开会' })).results)).toEqual([zh.id]);
      expect(ids((await bob.ok('message:search', { q: '会議' })).results)).toEqual([ja.id]);
      expect(ids((await bob.ok('message:search', { q: 'budget' })).results)).toEqual([en.id]);
      expect(ids((await alice.ok('message:search', { q: 'quarterly budget' })).results)).toEqual([en.id]);
      // One character: both CJK messages, newest first.
      expect(ids((await alice.ok('message:search', { q: '会' })).results)).toEqual([ja.id, zh.id]);
      // A substring, not a word: inside a longer run of characters.
      expect(ids((await alice.ok('message:search', { q: '下午开' })).results)).toEqual([zh.id]);
      expect((await alice.ok('message:search', { q: '开会讨论会議' })).results).toEqual([]);
      // Full-width Latin is normalized (NFKC) like the stored text.
      expect(ids((await alice.ok('message:search', { q: 'ＢＵＤＧＥＴ' })).results)).toEqual([en.id]);
      expect(ids((await alice.ok('message:search', { q: 'budget', conversationId: zh.conversationId })).results)).toEqual([en.id]);
      const [hit] = (await bob.ok('message:search', { q: '预算' })).results;
      expect(hit?.message).toEqual(await bob.current(zh));
    });

    it('pages newest first with next/before, each message once', async () => {
      const { alice, toBob } = await world.pair('spage');
      const sent: Message[] = [];
      for (let i = 0; i < 7; i++) sent.push(await alice.send(toBob, `paging needle ${i}`));
      const seen: string[] = [];
      let before: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await alice.ok('message:search', { q: 'needle', limit: 3, ...(before ? { before } : {}) });
        seen.push(...ids(page.results));
        if (!page.next) break;
        before = page.next;
      }
      expect(seen).toEqual(sent.map((m) => m.id).reverse());
    });

    it("answers NOT_FOUND for a conversation I am not in, and never finds recalled or deleted-for-me messages", async () => {
      const { alice, bob, toBob } = await world.pair('sauth');
      const outsider = await world.member('sout', 0);
      const secret = await alice.send(toBob, 'the secret handshake');
      const gone = await alice.send(toBob, 'secret to recall');
      const hidden = await alice.send(toBob, 'secret bob deletes');
      expect(refusal(await outsider.command('message:search', { q: 'secret', conversationId: secret.conversationId })).code).toBe('NOT_FOUND');
      expect((await outsider.ok('message:search', { q: 'secret' })).results).toEqual([]);
      await alice.ok('message:recall', { messageId: gone.id });
      await bob.ok('message:delete', { messageId: hidden.id });
      expect(ids((await bob.ok('message:search', { q: 'secret' })).results)).toEqual([secret.id]);
      expect(ids((await alice.ok('message:search', { q: 'secret' })).results)).toEqual([hidden.id, secret.id]);
      expect(refusal(await alice.command('message:search', { q: '   ' })).code).toBe('INVALID_ARGUMENT');
    });

    it('a hundred searches at once: RATE_LIMITED past the search limit, the others answered', async () => {
      const { alice, toBob } = await world.pair('sflood');
      const m = await alice.send(toBob, 'flooded search');
      const acks = await Promise.all(Array.from({ length: 100 }, () => alice.command('message:search', { q: 'flooded' }, 30_000)));
      const ok = acks.filter((a) => a.ok);
      expect(acks.filter((a) => !a.ok && a.error.code === 'RATE_LIMITED').length).toBe(100 - ok.length);
      expect(ok.length).toBeGreaterThan(0);
      expect(ok.length).toBeLessThan(100);
      for (const a of ok) expect(a.ok && ids(a.results)).toEqual([m.id]);
    });
  });

  describe('delete for me', () => {
    it('hides a message from me on both my devices (any node), and only from me', async () => {
      const { alice, bob } = await world.pair('del');
      const aliceTab = await alice.device(1);
      const keep = await bob.send({ type: 'user', id: alice.id }, 'keep');
      const drop = await bob.send({ type: 'user', id: alice.id }, 'drop this');
      await alice.user.waitForMessage((m) => m.id === drop.id);

      expect(await alice.command('message:delete', { messageId: drop.id })).toEqual({ ok: true });
      for (const session of [alice, aliceTab]) {
        const update = await session.waitForUpdate((u) => u.message.id === drop.id, 'the delete on each of my sessions');
        expect(update.message.deleted).toBe(true);
        expect(update.entry).toMatchObject({ kind: 'change', senderId: alice.id, change: { type: 'delete', messageId: drop.id } });
      }
      const mine = await alice.log(drop.conversationId);
      expect(mine.filter((m) => m.kind !== 'change').map((m) => m.id)).toEqual([keep.id]);
      const theirs = await bob.log(drop.conversationId);
      expect(theirs.map((m) => m.id)).toEqual([keep.id, drop.id]); // no delete entry either
      // Bob's own marker that nothing happened: a later change of his comes with no push to him of alice's delete.
      await bob.ok('message:react', { messageId: drop.id, emoji: '👍', on: true });
      await bob.waitForUpdate((u) => u.entry.change?.type === 'reaction');
      expect(bob.updates.map((u) => u.entry.change?.type)).toEqual(['reaction']);

      const list = await alice.ok('conversation:list', {});
      expect(list.conversations.find((c) => c.conversationId === drop.conversationId)?.lastMessage?.id).toBe(keep.id);
      expect(refusal(await alice.command('message:react', { messageId: drop.id, emoji: '👍', on: true })).code).toBe('NOT_FOUND');
      // Deleting again is done already: no entry, no push.
      expect(await alice.command('message:delete', { messageId: drop.id })).toEqual({ ok: true });
      expect((await alice.log(drop.conversationId)).filter((m) => m.change?.type === 'delete')).toHaveLength(1);
      const outsider = await world.member('dout', 1);
      expect(refusal(await outsider.command('message:delete', { messageId: keep.id })).code).toBe('NOT_FOUND');
    });
  });
});
