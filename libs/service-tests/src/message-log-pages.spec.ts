import { ConversationService } from '@parley/domain';
import { directConversationId, groupConversationId, type Group, type Message } from '@parley/protocol';
import { at } from '@parley/testing';
import { createMessagingWorld, type MessagingWorld } from './support/messaging-world';

/** sync and history as log pages, the conversation list from digests, and search, over the real SQLite engine. */
describe('MessagingService log pages, conversation list and search', () => {
  let w: MessagingWorld;
  let group: Group;
  const dmId = directConversationId('alice', 'bob');

  beforeEach(async () => {
    w = await createMessagingWorld();
    await w.addUsers('alice', 'bob', 'carol', 'dave');
    await w.befriend('alice', 'bob');
    await w.befriend('alice', 'carol');
    group = await w.groupWith('alice', 'club', ['bob', 'carol']);
  });

  afterEach(() => w.close());

  describe('sync', () => {
    it("brings an offline user the change entries with the current state of targets outside the page ('updates')", async () => {
      const first = await w.dm('alice', 'bob', 'first');
      const second = await w.dm('alice', 'bob', 'second');
      await w.messaging.ackDelivered('bob', { conversationId: dmId, seq: second.seq });
      // bob is offline: alice edits the first, reacts to the second, recalls it.
      await w.messaging.edit('alice', { messageId: first.id, body: { text: 'first!' } });
      await w.messaging.react('alice', { messageId: second.id, emoji: '👍', on: true });
      await w.messaging.recall('alice', { messageId: second.id });

      const { conversations } = await w.messaging.sync('bob', { limit: 200 });
      const page = at(conversations, 0, 'the direct chat');
      expect(page.conversationId).toBe(dmId);
      expect(page.messages.map((m) => m.change?.type)).toEqual(['edit', 'reaction', 'recall']);
      expect(page.hasMore).toBe(false);
      const updates = new Map((page.updates ?? []).map((m) => [m.id, m]));
      expect(updates.get(first.id)).toMatchObject({ body: { text: 'first!' }, editedAt: expect.any(Number) });
      expect(updates.get(second.id)).toMatchObject({ recalled: true, body: { text: '' } });
      // A page whose entries' targets are in it carries no updates.
      const whole = await w.messaging.sync('bob', { since: { [dmId]: 0 }, limit: 200 });
      expect(at(whole.conversations, 0, 'the direct chat').updates).toBeUndefined();
    });

    it('ends on a hidden tail instead of asking for more forever', async () => {
      await w.dm('alice', 'bob', 'one');
      const two = await w.dm('alice', 'bob', 'two');
      const three = await w.dm('alice', 'bob', 'three');
      await w.messaging.delete('bob', { messageId: two.id });
      await w.messaging.delete('bob', { messageId: three.id });
      // Seqs 2 and 3 are hidden from bob; 4 and 5 are his delete entries, which only he sees.
      const { conversations } = await w.messaging.sync('bob', { since: { [dmId]: 1 }, limit: 2 });
      const page = at(conversations, 0, 'the direct chat');
      expect(page.messages.map((m) => m.change?.type)).toEqual(['delete', 'delete']);
      expect(page.hasMore).toBe(false);
      // alice's log ends in two seqs hidden from her: a full page says more may follow, the next (empty) one ends it.
      const full = await w.messaging.sync('alice', { since: { [dmId]: 0 }, limit: 3 });
      expect(at(full.conversations, 0, "alice's direct chat")).toMatchObject({ messages: [{ seq: 1 }, { seq: 2 }, { seq: 3 }], hasMore: true });
      const alices = await w.messaging.sync('alice', { since: { [dmId]: 3 }, limit: 3 });
      expect(at(alices.conversations, 0, "alice's direct chat")).toMatchObject({ messages: [], hasMore: false });
    });

    it("says how far each page covers (throughSeq), so a client behind only hidden seqs can move on and ack", async () => {
      await w.dm('alice', 'bob', 'one');
      const two = await w.dm('alice', 'bob', 'two');
      await w.messaging.ackDelivered('alice', { conversationId: dmId, seq: two.seq });
      await w.messaging.delete('bob', { messageId: two.id });
      // Seq 3 is bob's delete entry: hidden from alice, and her only news.
      const first = await w.messaging.sync('alice', { limit: 200 });
      expect(first.conversations).toEqual([{ conversationId: dmId, messages: [], hasMore: false, throughSeq: 3 }]);
      await w.messaging.ackDelivered('alice', { conversationId: dmId, seq: 3 });
      expect((await w.messaging.sync('alice', { limit: 200 })).conversations).toEqual([]);
      // A full page with more to come covers up to its last entry; the rest up to the last seq.
      const full = await w.messaging.sync('alice', { since: { [dmId]: 0 }, limit: 1 });
      expect(at(full.conversations, 0, "alice's chat")).toMatchObject({ messages: [{ seq: 1 }], hasMore: true, throughSeq: 1 });
      const bobs = await w.messaging.sync('bob', { since: { [dmId]: 0 }, limit: 2 });
      expect(at(bobs.conversations, 0, "bob's chat")).toMatchObject({ messages: [{ seq: 1 }, { seq: 3 }], hasMore: false, throughSeq: 3 });
    });
  });

  describe('history:fetch', () => {
    it('answers pages without what is hidden from the viewer, ending where the range ends', async () => {
      const posts: Message[] = [];
      for (const text of ['a', 'b', 'c', 'd']) posts.push(await w.post('bob', group.id, text));
      const conversationId = groupConversationId(group.id);
      for (const p of posts.slice(0, 2)) await w.messaging.delete('carol', { messageId: p.id });
      const alices = await w.messaging.history('alice', { conversationId, limit: 100 });
      const carols = await w.messaging.history('carol', { conversationId, limit: 100 });
      expect(alices.messages.filter((m) => m.kind === 'change')).toEqual([]);
      expect(carols.messages.filter((m) => m.kind === 'text').map((m) => m.body.text)).toEqual(['c', 'd']);
      // Before the first visible text message carol has only system messages and nothing more after them.
      const firstVisible = at(posts, 2, 'post c');
      const older = await w.messaging.history('carol', { conversationId, beforeSeq: firstVisible.seq, limit: 2 });
      expect(older.messages.every((m) => m.kind === 'system')).toBe(true);
      expect(older.hasMore).toBe(older.messages.length === 2 && at(older.messages, 0, 'oldest').seq > 1);
      const after = await w.messaging.history('carol', { conversationId, afterSeq: firstVisible.seq, limit: 50 });
      expect(after.hasMore).toBe(false);
    });

    it('says how far each page covers (throughSeq): the range top, or the last entry of a forward page with more', async () => {
      const posts: Message[] = [];
      for (const text of ['a', 'b', 'c']) posts.push(await w.post('bob', group.id, text));
      const conversationId = groupConversationId(group.id);
      const c = at(posts, 2, 'post c');
      await w.messaging.delete('carol', { messageId: c.id });
      const lastSeq = c.seq + 1; // carol's delete entry, hidden from alice
      expect(await w.messaging.history('alice', { conversationId, limit: 100 })).toMatchObject({ throughSeq: lastSeq });
      expect(await w.messaging.history('alice', { conversationId, afterSeq: c.seq, limit: 10 })).toEqual({ messages: [], hasMore: false, throughSeq: lastSeq });
      expect(await w.messaging.history('alice', { conversationId, beforeSeq: c.seq, limit: 1 })).toMatchObject({ hasMore: true, throughSeq: c.seq - 1 });
      expect(await w.messaging.history('alice', { conversationId, beforeSeq: lastSeq + 50, limit: 1 })).toMatchObject({ throughSeq: lastSeq });
      expect(await w.messaging.history('alice', { conversationId, afterSeq: 0, limit: 1 })).toMatchObject({ hasMore: true, throughSeq: 1 });
      expect(await w.messaging.history('alice', { conversationId, afterSeq: 0, beforeSeq: 3, limit: 10 })).toMatchObject({ hasMore: false, throughSeq: 2 });
    });

    it('carries updates for change entries whose targets are before the page', async () => {
      const old = await w.post('bob', group.id, 'old');
      for (const text of ['x', 'y', 'z']) await w.post('bob', group.id, text);
      await w.messaging.react('carol', { messageId: old.id, emoji: '🎉', on: true });
      const newest = await w.messaging.history('alice', { conversationId: groupConversationId(group.id), limit: 2 });
      expect(newest.messages.map((m) => m.kind)).toEqual(['text', 'change']);
      expect(newest.updates).toEqual([expect.objectContaining({ id: old.id, reactions: [{ emoji: '🎉', userIds: ['carol'] }] })]);
      expect(newest.hasMore).toBe(true);
    });
  });

  describe('conversation:list', () => {
    it('counts unread content, marks mentions, and is not reordered by reactions', async () => {
      const conversations = new ConversationService({ store: w.store });
      await w.messaging.markRead('carol', { conversationId: groupConversationId(group.id), seq: 1_000 });
      const dm = await w.dm('alice', 'carol', 'hello carol');
      w.clock.t += 1_000;
      await w.post('carol', group.id, 'my own');
      const post = await w.messaging.send('bob', {
        to: { type: 'group', id: group.id },
        clientMsgId: 'm1',
        kind: 'text',
        body: { text: 'hey @carol' },
        mentions: ['carol'],
      });
      w.clock.t += 1_000;
      // A reaction in the older direct chat must not move it up.
      await w.messaging.react('alice', { messageId: dm.id, emoji: '👍', on: true });

      const list = await conversations.list('carol');
      expect(list.map((c) => c.conversationId)).toEqual([groupConversationId(group.id), directConversationId('alice', 'carol')]);
      expect(list[0]).toMatchObject({ unread: 1, mentioned: true, lastMessage: { id: post.id } });
      expect(list[1]).toMatchObject({ unread: 1, mentioned: false, lastMessage: { id: dm.id, reactions: [{ emoji: '👍', userIds: ['alice'] }] } });

      // Read past the mention: the marker goes.
      await w.messaging.markRead('carol', { conversationId: post.conversationId, seq: post.seq });
      expect(at(await conversations.list('carol'), 0, 'the group')).toMatchObject({ unread: 0, mentioned: false });
    });

    it('marks @all for every member but its sender, and stops counting a recalled or deleted message', async () => {
      const conversations = new ConversationService({ store: w.store });
      for (const id of ['bob', 'carol']) await w.messaging.markRead(id, { conversationId: groupConversationId(group.id), seq: 1_000 });
      const all = await w.messaging.send('alice', { to: { type: 'group', id: group.id }, clientMsgId: 'all', kind: 'text', body: { text: 'everyone' }, mentions: ['@all'] });
      const other = await w.post('alice', group.id, 'second');
      expect(at(await conversations.list('bob'), 0, 'the group')).toMatchObject({ unread: 2, mentioned: true });
      expect(at(await conversations.list('alice'), 0, 'the group')).toMatchObject({ unread: 0, mentioned: false });
      await w.messaging.recall('alice', { messageId: all.id });
      await w.messaging.delete('carol', { messageId: other.id });
      expect(at(await conversations.list('bob'), 0, 'the group')).toMatchObject({ unread: 1, mentioned: false });
      expect(at(await conversations.list('carol'), 0, 'the group')).toMatchObject({ unread: 0, mentioned: false });
    });
  });

  describe('message:search', () => {
    it('finds substrings, case-insensitively and in Chinese and Japanese, in the viewer\'s conversations only, newest first, paged', async () => {
      const hello = await w.dm('alice', 'bob', 'Hello World');
      const zh = await w.post('bob', group.id, '我们明天去北京吧');
      const ja = await w.post('carol', group.id, '東京タワーに行きたい');
      await w.addUsers('erin');
      await w.befriend('bob', 'erin');
      await w.dm('bob', 'erin', 'hello erin');

      const search = (userId: string, q: string, extra = {}) => w.messaging.search(userId, { q, limit: 20, ...extra });
      expect((await search('alice', 'hello')).results.map((r) => r.message.id)).toEqual([hello.id]);
      expect((await search('alice', 'O WOR')).results.map((r) => r.message.id)).toEqual([hello.id]);
      expect((await search('carol', '北京')).results.map((r) => r.message.id)).toEqual([zh.id]);
      expect((await search('alice', 'タワー')).results.map((r) => r.message.id)).toEqual([ja.id]);
      expect((await search('dave', '北京')).results).toEqual([]);
      expect((await search('bob', 'hello')).results.map((r) => r.message.body.text)).toEqual(['hello erin', 'Hello World']);

      await expect(search('dave', '北京', { conversationId: groupConversationId(group.id) })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(search('dave', 'x', { conversationId: 'nonsense' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });

    it('pages with next/before and never answers recalled, deleted or change entries', async () => {
      const posts: Message[] = [];
      for (let i = 1; i <= 5; i++) posts.push(await w.post('bob', group.id, `needle ${i}`));
      await w.messaging.edit('bob', { messageId: at(posts, 0, 'needle 1').id, body: { text: 'needle one' } });
      await w.messaging.recall('bob', { messageId: at(posts, 1, 'needle 2').id });
      await w.messaging.delete('carol', { messageId: at(posts, 2, 'needle 3').id });

      const first = await w.messaging.search('carol', { q: 'needle', limit: 1 });
      expect(first.results.map((r) => r.message.body.text)).toEqual(['needle 5']);
      expect(first.next).toBe(at(posts, 4, 'needle 5').id);
      const rest = await w.messaging.search('carol', { q: 'needle', limit: 10, before: first.next });
      expect(rest.results.map((r) => r.message.body.text)).toEqual(['needle 4', 'needle one']);
      expect(rest.next).toBeUndefined();
      expect((await w.messaging.search('alice', { q: 'needle', limit: 10 })).results).toHaveLength(4);
    });

    it('has its own per-user limiter: a thousand searches at once are mostly RATE_LIMITED', async () => {
      w.useMessaging({ options: { searchRatePerSec: 1, searchBurst: 20 } });
      const results = await Promise.allSettled(Array.from({ length: 1000 }, () => w.messaging.search('alice', { q: 'x', limit: 5 })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(20);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'RATE_LIMITED' } });
      // Sending is not affected.
      await expect(w.post('alice', group.id, 'still sending')).resolves.toMatchObject({ senderId: 'alice' });
    });
  });
});
