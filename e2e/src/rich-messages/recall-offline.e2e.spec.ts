import type { Message } from '@parley/protocol';
import { at, waitFor } from '@parley/testing';
import { World, refusal } from './rich-world';

jest.setTimeout(60_000);

/**
 * Short, so a test can see a message leave the sender's recall window
 * (waited for as a condition on the clock); long enough for a send, the
 * other side's reply and reaction, and the recall across two nodes on a
 * loaded CI host.
 */
const RECALL_WINDOW_MS = 12_000;

/** Waits (for the clock, the one condition there is) until a message is past its sender's recall window. */
const pastWindow = (m: Message) =>
  waitFor(`message ${m.id} to leave the recall window`, () => (Date.now() > m.createdAt + RECALL_WINDOW_MS ? true : undefined), { timeoutMs: RECALL_WINDOW_MS + 5_000, intervalMs: 100 });

describe('recall, and a recipient offline during changes (two IM nodes, PARLEY_RECALL_WINDOW_MS=12000)', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start('rich-recall-e2e', { nodeEnv: { PARLEY_RECALL_WINDOW_MS: String(RECALL_WINDOW_MS) } });
  }, 90_000);

  afterEach(() => world.disconnectAll());

  afterAll(async () => {
    await world?.stop();
  });

  describe('recall', () => {
    it('by the sender within the window: a tombstone everywhere, the reply quoting it included', async () => {
      const { alice, bob, toBob, toAlice } = await world.pair('rcl');
      const bobPhone = await bob.device(0);
      const m = await alice.send(toBob, 'oops, wrong chat');
      await bob.user.waitForMessage((x) => x.id === m.id);
      const reply = await bob.send(toAlice, 'what?', { replyTo: m.id });
      await bob.ok('message:react', { messageId: m.id, emoji: '😮', on: true });

      expect(await alice.command('message:recall', { messageId: m.id })).toEqual({ ok: true });
      const tombstone = { ...m, body: { text: '' }, recalled: true };
      for (const session of [alice, bob, bobPhone]) {
        const update = await session.waitForUpdate((u) => u.entry.change?.type === 'recall', 'the recall');
        expect(update.message).toEqual(tombstone); // no text, no reactions, kind kept
        expect(update.entry).toMatchObject({ kind: 'change', senderId: alice.id, body: { text: '' }, change: { type: 'recall', messageId: m.id } });
      }
      for (const reader of [alice, bob]) {
        const log = await reader.log(m.conversationId);
        expect(log.find((x) => x.id === m.id)).toEqual(tombstone);
        expect(log.find((x) => x.id === reply.id)?.quote).toEqual({ messageId: m.id, senderId: alice.id, kind: 'text', text: '', recalled: true });
      }
      expect((await bob.ok('message:search', { q: 'wrong chat' })).results).toEqual([]);
      // A second recall changes nothing.
      expect(await alice.command('message:recall', { messageId: m.id })).toEqual({ ok: true });
      expect((await bob.log(m.conversationId)).filter((x) => x.change?.type === 'recall')).toHaveLength(1);
    });

    it('is refused after the window (FORBIDDEN, saying so), and to anyone but the sender in a direct chat', async () => {
      const { alice, bob, toBob } = await world.pair('rlate');
      const m = await alice.send(toBob, 'I stand by this');
      expect(refusal(await bob.command('message:recall', { messageId: m.id })).code).toBe('FORBIDDEN');
      const outsider = await world.member('rout', 1);
      expect(refusal(await outsider.command('message:recall', { messageId: m.id })).code).toBe('NOT_FOUND');
      await pastWindow(m);
      const late = refusal(await alice.command('message:recall', { messageId: m.id }));
      expect(late.code).toBe('FORBIDDEN');
      expect(late.message).toMatch(/within 12 seconds/);
      expect((await bob.current(m))?.body.text).toBe('I stand by this');
    });

    it("lets a group's admin recall a member's message at any time, but not the owner's; a member cannot recall another's", async () => {
      const owner = await world.member('rgown', 0);
      const admin = await world.member('rgadm', 1);
      const member = await world.member('rgmem', 0);
      const { to, groupId } = await world.group(owner, [admin, member]);
      await owner.ok('group:setRole', { groupId, userId: admin.id, role: 'admin' });
      const fromMember = await member.send(to, 'spam link');
      const fromOwner = await owner.send(to, 'house rules');
      expect(refusal(await member.command('message:recall', { messageId: fromOwner.id })).code).toBe('FORBIDDEN');
      await pastWindow(fromMember);
      expect(refusal(await member.command('message:recall', { messageId: fromMember.id })).code).toBe('FORBIDDEN');
      expect(await admin.command('message:recall', { messageId: fromMember.id })).toEqual({ ok: true });
      expect(refusal(await admin.command('message:recall', { messageId: fromOwner.id })).code).toBe('FORBIDDEN');
      const update = await member.waitForUpdate((u) => u.message.id === fromMember.id);
      expect(update.message).toMatchObject({ recalled: true, body: { text: '' } });
      expect(update.entry.senderId).toBe(admin.id);
      await pastWindow(fromOwner);
      expect(await owner.command('message:recall', { messageId: fromOwner.id })).toEqual({ ok: true }); // the owner: at any time
    });
  });

  describe('a recipient offline during an edit, a recall and a reaction', () => {
    it('sees the final state in its next sync: the entries in seq order and the targets as they are now', async () => {
      const { alice, bob, toBob, toAlice } = await world.pair('off');
      const m1 = await alice.send(toBob, 'draft');
      const m2 = await alice.send(toBob, 'regret');
      const m3 = await alice.send(toBob, 'like this');
      await bob.user.waitForMessage((x) => x.id === m3.id);
      const reply = await bob.send(toAlice, 'hm?', { replyTo: m2.id });
      await bob.ok('message:ack', { conversationId: m1.conversationId, seq: reply.seq });
      bob.disconnect();

      const { message: edited } = await alice.ok('message:edit', { messageId: m1.id, body: { text: 'final' } });
      await alice.ok('message:recall', { messageId: m2.id });
      await alice.ok('message:react', { messageId: m3.id, emoji: '👍', on: true });
      await alice.ok('message:react', { messageId: m3.id, emoji: '❤️', on: true });
      await alice.ok('message:react', { messageId: m3.id, emoji: '❤️', on: false });

      await bob.connect(1);
      const synced = await bob.ok('sync', {}); // from the server-side delivered cursor
      const page = synced.conversations.find((c) => c.conversationId === m1.conversationId);
      expect(page?.messages.map((e) => [e.seq, e.change?.type, e.change?.messageId])).toEqual([
        [reply.seq + 1, 'edit', m1.id],
        [reply.seq + 2, 'recall', m2.id],
        [reply.seq + 3, 'reaction', m3.id],
        [reply.seq + 4, 'reaction', m3.id],
        [reply.seq + 5, 'reaction', m3.id],
      ]);
      expect(page?.hasMore).toBe(false);
      const updates = new Map((page?.updates ?? []).map((u) => [u.id, u]));
      expect(updates.get(m1.id)).toEqual(edited);
      expect(updates.get(m2.id)).toEqual({ ...m2, body: { text: '' }, recalled: true });
      expect(updates.get(m3.id)?.reactions).toEqual([{ emoji: '👍', userIds: [alice.id] }]);
      expect(updates.size).toBe(3);

      // The same from an explicit cursor, and history agrees, the reply's quote included.
      const since = await bob.ok('sync', { since: { [m1.conversationId]: reply.seq } });
      expect(at(since.conversations, 0, 'page').messages.map((e) => e.id)).toEqual(page?.messages.map((e) => e.id));
      const log = await bob.log(m1.conversationId);
      expect(log.find((x) => x.id === reply.id)?.quote).toMatchObject({ recalled: true, text: '' });
      expect(log.find((x) => x.id === m3.id)?.reactions).toEqual([{ emoji: '👍', userIds: [alice.id] }]);
      // Nothing was pushed to the offline user's new socket: the sync is where it learnt.
      expect(bob.updates.filter((u) => u.entry.seq > reply.seq)).toEqual([]);
    });

    it('pages that end on a hidden seq still end (no loop), and the unread count ignores change entries', async () => {
      const { alice, bob, toBob } = await world.pair('hid');
      const m = await alice.send(toBob, 'one');
      const two = await alice.send(toBob, 'two');
      await bob.ok('message:delete', { messageId: two.id }); // bob's delete entry is hidden from alice
      await bob.ok('message:react', { messageId: m.id, emoji: '👍', on: true });
      await alice.ok('message:delete', { messageId: m.id }); // the tail, hidden from bob
      const bobLog = await bob.log(m.conversationId);
      expect(bobLog.map((e) => e.seq)).toEqual([1, 3, 4]);
      const aliceSeqs = (await alice.log(m.conversationId)).map((e) => e.seq);
      expect(aliceSeqs).toEqual(expect.arrayContaining([2, 5]));
      expect(aliceSeqs).not.toContain(1);
      expect(aliceSeqs).not.toContain(3);
      const small = await bob.ok('sync', { since: { [m.conversationId]: 0 }, limit: 2 });
      const first = at(small.conversations, 0, 'page');
      expect(first.messages.map((e) => e.seq)).toEqual([1, 3]);
      expect(first.hasMore).toBe(true);
      const rest = await bob.ok('sync', { since: { [m.conversationId]: 3 }, limit: 2 });
      const second = rest.conversations.find((c) => c.conversationId === m.conversationId);
      expect(second?.messages.map((e) => e.seq)).toEqual([4]);
      expect(second?.hasMore).toBe(false);
      const list = await bob.ok('conversation:list', {});
      expect(list.conversations.find((c) => c.conversationId === m.conversationId)).toMatchObject({ unread: 1, lastMessage: { id: m.id } });
    });
  });
});
