import { MENTION_ALL, QUOTE_SNIPPET_LENGTH, type Ack, type Message } from '@parley/protocol';
import { at } from '@parley/testing';
import { World, refusal } from './rich-world';

jest.setTimeout(60_000);

/** Replies, mentions, reactions and edits between users on different IM nodes (MySQL, Redis, two nodes). */
describe('rich messages across two IM nodes', () => {
  let world: World;

  beforeAll(async () => {
    world = await World.start('rich-features-e2e');
  }, 90_000);

  afterEach(() => world.disconnectAll());

  afterAll(async () => {
    await world?.stop();
  });

  describe('reply with quote', () => {
    it('carries a quote of the answered message to the other node, cut to the snippet length', async () => {
      const { alice, bob, toBob, toAlice } = await world.pair('reply');
      const long = `${'长'.repeat(QUOTE_SNIPPET_LENGTH)} and more`;
      const question = await alice.send(toBob, long);
      const answer = await bob.send(toAlice, 'yes', { replyTo: question.id });
      const quote = { messageId: question.id, senderId: alice.id, kind: 'text', text: '长'.repeat(QUOTE_SNIPPET_LENGTH) };
      expect(answer).toMatchObject({ replyTo: question.id, quote });
      const atAlice = await alice.user.waitForMessage((m) => m.id === answer.id);
      expect(atAlice).toEqual(answer);
      // Reads answer the same quote.
      expect(await alice.current(answer)).toMatchObject({ replyTo: question.id, quote });
    });

    it('refuses a reply to a message of another conversation, to a change entry or to nothing, storing nothing', async () => {
      const { alice, bob, toBob } = await world.pair('badreply');
      const carol = await world.member('badreplyc', 1);
      const { to: toGroup } = await world.group(alice, [carol]);
      const elsewhere = await alice.send(toGroup, 'in the group');
      const here = await alice.send(toBob, 'in the dm');
      await bob.ok('message:react', { messageId: here.id, emoji: '👍', on: true });
      const reaction = at(
        (await alice.log(here.conversationId)).filter((m) => m.kind === 'change'),
        0,
        'reaction entry',
      );
      for (const replyTo of [elsewhere.id, reaction.id, '01NOSUCHMESSAGE00000000000']) {
        expect(refusal(await alice.trySend(toBob, 'reply', { replyTo })).code).toBe('NOT_FOUND');
      }
      // Only the message and the reaction: nothing stored by the refused replies.
      expect((await bob.log(here.conversationId)).map((m) => m.kind)).toEqual(['text', 'change']);
    });
  });

  describe('mentions', () => {
    it('lets the owner mention @all, refuses it to a member (FORBIDDEN), and shows the "@" marker to those mentioned', async () => {
      const owner = await world.member('mown', 0);
      const bob = await world.member('mbob', 1);
      const dave = await world.member('mdave', 0);
      const { to, conversationId } = await world.group(owner, [bob, dave]);

      const forBob = await owner.send(to, '@bob look', { mentions: [bob.id] });
      expect(forBob.mentions).toEqual([bob.id]);
      expect((await bob.user.waitForMessage((m) => m.id === forBob.id)).mentions).toEqual([bob.id]);
      const summary = async (m: typeof bob) => (await m.ok('conversation:list', {})).conversations.find((c) => c.conversationId === conversationId);
      expect(await summary(bob)).toMatchObject({ mentioned: true, unread: 1 });
      expect(await summary(dave)).toMatchObject({ mentioned: false, unread: 1 });

      // Read: the marker goes.
      await bob.ok('conversation:read', { conversationId, seq: forBob.seq });
      expect(await summary(bob)).toMatchObject({ mentioned: false, unread: 0 });

      const denied = refusal(await bob.trySend(to, '@all listen', { mentions: [MENTION_ALL] }));
      expect(denied.code).toBe('FORBIDDEN');
      const all = await owner.send(to, '@all meeting', { mentions: [MENTION_ALL] });
      expect(all.mentions).toEqual([MENTION_ALL]);
      expect(await summary(bob)).toMatchObject({ mentioned: true, unread: 1 });
      expect(await summary(dave)).toMatchObject({ mentioned: true, unread: 2 });
      expect(await summary(owner)).toMatchObject({ mentioned: false, unread: 0 }); // their own messages
    });

    it('refuses mentions of non-members (INVALID_ARGUMENT naming them) and @all in a direct chat (FORBIDDEN)', async () => {
      const { alice, toBob } = await world.pair('mdm');
      const stranger = await world.member('mstr', 1);
      const bad = refusal(await alice.trySend(toBob, 'hey @stranger', { mentions: [stranger.id] }));
      expect(bad.code).toBe('INVALID_ARGUMENT');
      expect(bad.message).toContain(stranger.id);
      expect(refusal(await alice.trySend(toBob, '@all', { mentions: [MENTION_ALL] })).code).toBe('FORBIDDEN');
      const owner = await world.member('mgown', 0);
      const member = await world.member('mgmem', 1);
      const { to } = await world.group(owner, [member]);
      const notIn = refusal(await member.trySend(to, 'hi', { mentions: [owner.id, stranger.id] }));
      expect(notIn).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(stranger.id) });
    });
  });

  describe('reactions', () => {
    it('are live on the other node: toggled on and off, counted per emoji with who, in first-appearance order', async () => {
      const { alice, bob, toBob } = await world.pair('react');
      const m = await alice.send(toBob, 'react to me');
      await bob.user.waitForMessage((x) => x.id === m.id);

      await bob.ok('message:react', { messageId: m.id, emoji: '👍', on: true });
      const first = await alice.waitForUpdate((u) => u.message.id === m.id && u.entry.change?.emoji === '👍');
      expect(first.message.reactions).toEqual([{ emoji: '👍', userIds: [bob.id] }]);
      expect(first.entry).toMatchObject({ kind: 'change', senderId: bob.id, change: { type: 'reaction', messageId: m.id, emoji: '👍', on: true } });
      expect(first.entry.seq).toBe(m.seq + 1);

      await alice.ok('message:react', { messageId: m.id, emoji: '👍', on: true });
      await bob.ok('message:react', { messageId: m.id, emoji: '❤️', on: true });
      await bob.ok('message:react', { messageId: m.id, emoji: '👍', on: false });
      const last = await alice.waitForUpdate((u) => u.entry.change?.emoji === '👍' && u.entry.change.on === false);
      expect(last.message.reactions).toEqual([
        { emoji: '👍', userIds: [alice.id] },
        { emoji: '❤️', userIds: [bob.id] },
      ]);
      // Both sessions (the actor's too) got every change.
      await bob.waitForUpdate((u) => u.entry.id === last.entry.id);
      expect(await bob.current(m)).toMatchObject({ reactions: last.message.reactions });
    });

    it('are idempotent: a reaction already on (or off) adds no entry and pushes nothing', async () => {
      const { alice, bob, toBob } = await world.pair('idem');
      const m = await alice.send(toBob, 'once');
      await bob.ok('message:react', { messageId: m.id, emoji: '🎉', on: true });
      await alice.waitForUpdate((u) => u.entry.change?.emoji === '🎉');
      for (let i = 0; i < 5; i++) expect(await bob.command('message:react', { messageId: m.id, emoji: '🎉', on: true })).toEqual({ ok: true });
      expect(await bob.command('message:react', { messageId: m.id, emoji: '🔥', on: false })).toEqual({ ok: true });
      // A later change is the next entry: nothing was appended in between.
      await bob.ok('message:react', { messageId: m.id, emoji: '🎉', on: false });
      const off = await alice.waitForUpdate((u) => u.entry.change?.on === false);
      expect(off.entry.seq).toBe(m.seq + 2);
      expect(alice.updates).toHaveLength(2);
      expect((await alice.log(m.conversationId)).map((e) => e.kind)).toEqual(['text', 'change', 'change']);
    });

    it('refuses outsiders (NOT_FOUND, ids leak nothing), recalled messages (CONFLICT) and non-emoji (INVALID_ARGUMENT)', async () => {
      const { alice, bob, toBob } = await world.pair('rauth');
      const outsider = await world.member('rout', 0);
      const m = await alice.send(toBob, 'private');
      expect(refusal(await outsider.command('message:react', { messageId: m.id, emoji: '👍', on: true })).code).toBe('NOT_FOUND');
      expect(refusal(await bob.command('message:react', { messageId: m.id, emoji: 'hello', on: true })).code).toBe('INVALID_ARGUMENT');
      await alice.ok('message:recall', { messageId: m.id });
      expect(refusal(await bob.command('message:react', { messageId: m.id, emoji: '👍', on: true })).code).toBe('CONFLICT');
    });
  });

  describe('edit', () => {
    it('shows the new text as edited on the other node, keeps the versions, and lets only the sender edit (FORBIDDEN)', async () => {
      const { alice, bob, toBob } = await world.pair('edit');
      const m = await alice.send(toBob, 'teh first');
      await bob.user.waitForMessage((x) => x.id === m.id);
      const { message: edited } = await alice.ok('message:edit', { messageId: m.id, body: { text: 'the first' } });
      expect(edited).toMatchObject({ id: m.id, seq: m.seq, body: { text: 'the first' }, editedAt: expect.any(Number) });
      const pushed = await bob.waitForUpdate((u) => u.message.id === m.id);
      expect(pushed.message).toEqual(edited);
      expect(pushed.entry).toMatchObject({ kind: 'change', senderId: alice.id, body: { text: 'the first' }, change: { type: 'edit', messageId: m.id } });

      await alice.ok('message:edit', { messageId: m.id, body: { text: 'the first one' } });
      const versions = await bob.ok('message:versions', { messageId: m.id });
      expect(versions.versions.map((v) => v.text)).toEqual(['teh first', 'the first']);
      expect(await bob.current(m)).toMatchObject({ body: { text: 'the first one' }, editedAt: expect.any(Number) });

      const forged = refusal(await bob.command('message:edit', { messageId: m.id, body: { text: 'bob was here' } }));
      expect(forged.code).toBe('FORBIDDEN');
      const outsider = await world.member('eout', 0);
      expect(refusal(await outsider.command('message:edit', { messageId: m.id, body: { text: 'x' } })).code).toBe('NOT_FOUND');
      expect(refusal(await outsider.command('message:versions', { messageId: m.id })).code).toBe('NOT_FOUND');
      expect((await alice.current(m))?.body.text).toBe('the first one');
    });

    it('an edit to the same text changes nothing; a recalled message cannot be edited (CONFLICT)', async () => {
      const { alice, bob, toBob } = await world.pair('esame');
      const m = await alice.send(toBob, 'same');
      const { message } = await alice.ok('message:edit', { messageId: m.id, body: { text: 'same' } });
      expect(message.editedAt).toBeUndefined();
      await alice.ok('message:recall', { messageId: m.id });
      expect(refusal(await alice.command('message:edit', { messageId: m.id, body: { text: 'back' } })).code).toBe('CONFLICT');
      const log = await bob.log(m.conversationId);
      expect(log.map((e) => e.change?.type ?? e.kind)).toEqual(['text', 'recall']);
    });
  });

  describe('a thousand at once from one user', () => {
    /**
     * What a flood may be answered besides ok: RATE_LIMITED past the limits;
     * UNAVAILABLE for some of the admitted changes to one row on a loaded host
     * (they queue on the target's lock and the store's pool wait gives up).
     * Either way nothing is stored for them: the entries never outnumber the oks.
     */
    const TEMPORARY_REFUSALS = new Set(['RATE_LIMITED', 'UNAVAILABLE']);
    function tally(acks: Ack<unknown>[]): { ok: number; refusals: Record<string, number> } {
      const refusals: Record<string, number> = {};
      for (const a of acks) if (!a.ok) refusals[a.error.code] = (refusals[a.error.code] ?? 0) + 1;
      return { ok: acks.filter((a) => a.ok).length, refusals };
    }

    /** Every entry of the log applied in order gives the state the server holds. */
    function replayReactions(log: Message[], messageId: string): string[] {
      const on = new Set<string>();
      for (const e of log) {
        if (e.change?.type !== 'reaction' || e.change.messageId !== messageId || !e.change.emoji) continue;
        if (e.change.on) on.add(`${e.senderId}:${e.change.emoji}`);
        else on.delete(`${e.senderId}:${e.change.emoji}`);
      }
      return [...on];
    }

    it('reactions: RATE_LIMITED past the limit, no more entries than acks, and the entries add up to the state', async () => {
      const { alice, bob, toBob } = await world.pair('flood');
      const m = await alice.send(toBob, 'flood me');
      const acks = await Promise.all(
        Array.from({ length: 1000 }, (_, i) => bob.command('message:react', { messageId: m.id, emoji: '👍', on: i % 2 === 0 }, 30_000)),
      );
      const { ok, refusals } = tally(acks);
      expect(refusals.RATE_LIMITED).toBeGreaterThan(0);
      expect(Object.keys(refusals).filter((code) => !TEMPORARY_REFUSALS.has(code))).toEqual([]);
      const log = await alice.log(m.conversationId);
      const entries = log.filter((e) => e.kind === 'change');
      expect(entries.length).toBeGreaterThan(0);
      expect(entries.length).toBeLessThanOrEqual(ok);
      const now = await alice.current(m);
      expect((now?.reactions ?? []).flatMap((r) => r.userIds.map((u) => `${u}:${r.emoji}`))).toEqual(replayReactions(log, m.id));
    });

    it('edits: RATE_LIMITED past the limit, no more entries than acks, the last entry is the text', async () => {
      const { alice, bob, toBob } = await world.pair('eflood');
      const m = await alice.send(toBob, 'v0');
      const acks = await Promise.all(
        Array.from({ length: 1000 }, (_, i) => alice.command('message:edit', { messageId: m.id, body: { text: `v${i + 1}` } }, 30_000)),
      );
      const { ok, refusals } = tally(acks);
      expect(refusals.RATE_LIMITED).toBeGreaterThan(0);
      expect(Object.keys(refusals).filter((code) => !TEMPORARY_REFUSALS.has(code))).toEqual([]);
      const entries = (await bob.log(m.conversationId)).filter((e) => e.kind === 'change');
      expect(entries.length).toBeLessThanOrEqual(ok);
      const current = await bob.current(m);
      expect(current?.body.text).toBe(at(entries, entries.length - 1, 'last edit').body.text);
      expect((await bob.ok('message:versions', { messageId: m.id })).versions).toHaveLength(entries.length);
    });
  });
});
