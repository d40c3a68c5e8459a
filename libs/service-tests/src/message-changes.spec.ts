import { RateLimiter } from '@parley/domain';
import { MemoryThrottleFactory } from '@parley/limits';
import { ParleyError, groupConversationId, groupRoom, userRoom, type Group, type Message } from '@parley/protocol';
import { at } from '@parley/testing';
import { silentLogger, type Logger } from '@parley/util';
import { createMessagingWorld, type MessagingWorld } from './support/messaging-world';

/** Edits, recalls, reactions and deletions over the real SQLite engine: who may, what if they lie, a flood. */
describe('MessagingService changes to messages', () => {
  let w: MessagingWorld;
  let group: Group;
  const conversationId = () => groupConversationId(group.id);
  const historyOf = async (userId: string): Promise<Message[]> =>
    (await w.messaging.history(userId, { conversationId: conversationId(), limit: 100 })).messages;
  const renameForASystemMessage = async (): Promise<Message | undefined> => {
    await w.admin.update('alice', { groupId: group.id, name: 'the club' });
    return (await historyOf('alice')).find((m) => m.kind === 'system');
  };
  const find = async (userId: string, id: string): Promise<Message | undefined> => (await historyOf(userId)).find((m) => m.id === id);

  beforeEach(async () => {
    w = await createMessagingWorld();
    await w.addUsers('alice', 'bob', 'carol', 'dave');
    await w.befriend('alice', 'bob');
    await w.befriend('alice', 'carol');
    // alice owns the group; bob is an admin, carol a member; dave is a stranger to it.
    group = await w.groupWith('alice', 'club', ['bob', 'carol']);
    await w.admin.setRole('alice', { groupId: group.id, userId: 'bob', role: 'admin' });
  });

  afterEach(() => w.close());

  describe('message:edit', () => {
    it('lets the sender rewrite a text message: new state in the ack, an entry pushed to the conversation, versions kept', async () => {
      const original = await w.post('carol', group.id, 'helo');
      w.clock.t += 5_000;
      const edited = await w.messaging.edit('carol', { messageId: original.id, body: { text: 'hello' } });
      expect(edited).toMatchObject({ id: original.id, seq: original.seq, body: { text: 'hello' }, editedAt: w.clock.t });

      const [update] = w.updates();
      expect(update?.rooms).toEqual([groupRoom(group.id)]);
      expect(update?.message).toMatchObject({ id: original.id, body: { text: 'hello' } });
      expect(update?.entry).toMatchObject({
        kind: 'change',
        senderId: 'carol',
        seq: original.seq + 1,
        change: { type: 'edit', messageId: original.id },
        body: { text: 'hello' },
      });
      expect(update?.entry.clientMsgId).toBe(`chg:${update?.entry.id}`);
      expect(await w.messaging.versions('bob', { messageId: original.id })).toEqual({ versions: [{ text: 'helo', editedAt: w.clock.t }] });
      expect(await find('bob', original.id)).toMatchObject({ body: { text: 'hello' }, editedAt: w.clock.t });
    });

    it("refuses someone else's message (even an admin's edit), a system message, a change entry, a stranger", async () => {
      const carols = await w.post('carol', group.id, 'mine');
      await expect(w.messaging.edit('bob', { messageId: carols.id, body: { text: 'x' } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.messaging.edit('alice', { messageId: carols.id, body: { text: 'x' } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      const system = await renameForASystemMessage();
      await expect(w.messaging.edit(system?.senderId ?? 'alice', { messageId: system?.id ?? '', body: { text: 'x' } })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      await w.messaging.react('carol', { messageId: carols.id, emoji: '👍', on: true });
      const entry = at(w.updates(), 0, 'reaction').entry;
      await expect(w.messaging.edit('carol', { messageId: entry.id, body: { text: 'x' } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(w.messaging.edit('dave', { messageId: carols.id, body: { text: 'x' } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(w.messaging.versions('dave', { messageId: carols.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(w.updates()).toHaveLength(1);
    });

    it('refuses a sender who may no longer post there: muted in the group, or unfriended in a direct chat', async () => {
      const post = await w.post('carol', group.id, 'before the mute');
      await w.admin.mute('alice', { groupId: group.id, userId: 'carol', untilMs: w.clock.t + 60_000 });
      await expect(w.messaging.edit('carol', { messageId: post.id, body: { text: 'x' } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      const dm = await w.dm('bob', 'alice', 'hi');
      await w.friends.remove('alice', { userId: 'bob' });
      await expect(w.messaging.edit('bob', { messageId: dm.id, body: { text: 'x' } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('answers an edit to the same text with the message, appending and pushing nothing', async () => {
      const post = await w.post('carol', group.id, 'same');
      await expect(w.messaging.edit('carol', { messageId: post.id, body: { text: 'same' } })).resolves.toMatchObject({ id: post.id });
      expect(w.updates()).toEqual([]);
      expect((await historyOf('bob')).filter((m) => m.kind === 'change')).toEqual([]);
    });

    it('screens the new text like a send (masked, or rejected by the service, which is told what it edits)', async () => {
      const post = await w.post('carol', group.id, 'fine');
      await expect(w.messaging.edit('carol', { messageId: post.id, body: { text: 'darn' } })).resolves.toMatchObject({ body: { text: '****' } });
      await expect(w.messaging.edit('carol', { messageId: post.id, body: { text: 'spam' } })).rejects.toMatchObject({ code: 'CONTENT_REJECTED' });
      expect(w.hookCalls.at(-1)).toMatchObject({ editOf: post.id, senderId: 'carol' });
      expect(await find('bob', post.id)).toMatchObject({ body: { text: '****' } });
    });
  });

  describe('message:recall', () => {
    it('lets the sender recall within the window, leaving a tombstone everywhere (replies quote it as recalled)', async () => {
      const post = await w.post('carol', group.id, 'oops');
      await w.messaging.edit('carol', { messageId: post.id, body: { text: 'oops!' } });
      await w.messaging.react('bob', { messageId: post.id, emoji: '😂', on: true });
      const reply = await w.messaging.send('bob', { to: { type: 'group', id: group.id }, clientMsgId: 'r1', kind: 'text', body: { text: 'lol' }, replyTo: post.id });
      w.clock.t += 120_000;
      await w.messaging.recall('carol', { messageId: post.id });

      const seen = await historyOf('bob');
      expect(seen.find((m) => m.id === post.id)).toMatchObject({ recalled: true, body: { text: '' }, kind: 'text' });
      expect(seen.find((m) => m.id === post.id)?.reactions ?? []).toEqual([]);
      expect(seen.find((m) => m.id === reply.id)?.quote).toMatchObject({ messageId: post.id, recalled: true, text: '' });
      // The edit entry's text went with the body; the versions too.
      expect(seen.filter((m) => m.change?.type === 'edit').map((m) => m.body.text)).toEqual(['']);
      expect(await w.messaging.versions('bob', { messageId: post.id })).toEqual({ versions: [] });
      expect(w.updates().at(-1)).toMatchObject({ message: { id: post.id, recalled: true }, entry: { change: { type: 'recall', messageId: post.id } } });
    });

    it('refuses the sender past the window, saying so; a second recall changes nothing', async () => {
      const post = await w.post('carol', group.id, 'too late');
      w.clock.t += 120_001;
      await expect(w.messaging.recall('carol', { messageId: post.id })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/2 minutes/) });
      await w.messaging.recall('alice', { messageId: post.id });
      const pushes = w.updates().length;
      await expect(w.messaging.recall('alice', { messageId: post.id })).resolves.toBeUndefined();
      expect(w.updates()).toHaveLength(pushes);
    });

    it("lets the owner and admins recall members' messages at any time, but not an admin the owner's", async () => {
      const carols = await w.post('carol', group.id, 'a');
      const bobs = await w.post('bob', group.id, 'b');
      const alices = await w.post('alice', group.id, 'c');
      w.clock.t += 3_600_000;
      await w.messaging.recall('bob', { messageId: carols.id });
      await w.messaging.recall('alice', { messageId: bobs.id });
      await expect(w.messaging.recall('bob', { messageId: alices.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.messaging.recall('carol', { messageId: alices.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.messaging.recall('dave', { messageId: alices.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect((await historyOf('carol')).filter((m) => m.recalled).map((m) => m.id)).toEqual([carols.id, bobs.id]);
    });

    it('honours the configured window, and refuses the other side of a direct chat', async () => {
      w.useMessaging({ options: { recallWindowMs: 1_000 } });
      const dm = await w.dm('alice', 'bob', 'quick');
      await expect(w.messaging.recall('bob', { messageId: dm.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      w.clock.t += 1_001;
      await expect(w.messaging.recall('alice', { messageId: dm.id })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/within 1 second of sending/) });
    });

    it('removes the bytes of a recalled attachment', async () => {
      w.uploads.add('carol', 'up1');
      const sent = await w.messaging.send('carol', { to: { type: 'group', id: group.id }, clientMsgId: 'img', kind: 'image', body: { attachmentId: 'up1' } });
      await w.messaging.recall('carol', { messageId: sent.id });
      expect(w.uploads.discarded).toEqual(['up1']);
      expect(await find('bob', sent.id)).toMatchObject({ kind: 'image', recalled: true, body: { text: '' } });
      expect((await find('bob', sent.id))?.body.attachment).toBeUndefined();
    });

    it('answers a committed recall as done when the bytes cannot be removed yet (logged with the upload id, no text; the sweep removes them)', async () => {
      const warnings: { obj: object; msg?: string }[] = [];
      const logger: Logger = { ...silentLogger, warn: (obj, msg) => void warnings.push({ obj, msg }) };
      w.useMessaging({ logger });
      w.uploads.discard = async () => {
        throw new ParleyError('UNAVAILABLE', 'the blob store is down');
      };
      w.uploads.add('carol', 'up2');
      const sent = await w.messaging.send('carol', { to: { type: 'group', id: group.id }, clientMsgId: 'img2', kind: 'image', body: { attachmentId: 'up2', caption: 'secret caption' } });
      await expect(w.messaging.recall('carol', { messageId: sent.id })).resolves.toBeUndefined();
      expect(await find('bob', sent.id)).toMatchObject({ recalled: true, body: { text: '' } });
      expect(warnings).toEqual([{ obj: expect.objectContaining({ uploadId: 'up2' }), msg: expect.any(String) }]);
      expect(JSON.stringify(warnings.map((x) => ({ ...x.obj, err: undefined })))).not.toContain('secret caption');
    });
  });

  describe('message:react', () => {
    it('toggles emoji for members, in first-appearance order, one entry per real change', async () => {
      const post = await w.post('carol', group.id, 'vote');
      await w.messaging.react('bob', { messageId: post.id, emoji: '👍', on: true });
      await w.messaging.react('alice', { messageId: post.id, emoji: '🎉', on: true });
      await w.messaging.react('alice', { messageId: post.id, emoji: '👍', on: true });
      await w.messaging.react('alice', { messageId: post.id, emoji: '👍', on: true }); // already on: nothing
      await w.messaging.react('carol', { messageId: post.id, emoji: '🎉', on: false }); // never on: nothing
      expect(await find('carol', post.id)).toMatchObject({ reactions: [{ emoji: '👍', userIds: ['bob', 'alice'] }, { emoji: '🎉', userIds: ['alice'] }] });
      await w.messaging.react('bob', { messageId: post.id, emoji: '👍', on: false });
      expect(w.updates().map((u) => u.entry.change)).toEqual([
        { type: 'reaction', messageId: post.id, emoji: '👍', on: true },
        { type: 'reaction', messageId: post.id, emoji: '🎉', on: true },
        { type: 'reaction', messageId: post.id, emoji: '👍', on: true },
        { type: 'reaction', messageId: post.id, emoji: '👍', on: false },
      ]);
      // Ordered by the reactions still on: bob's 👍 went, so alice's 🎉 now came first.
      expect(w.updates().at(-1)?.message.reactions).toEqual([{ emoji: '🎉', userIds: ['alice'] }, { emoji: '👍', userIds: ['alice'] }]);
    });

    it('refuses strangers, blocked direct chats, recalled and system messages', async () => {
      const post = await w.post('carol', group.id, 'x');
      await expect(w.messaging.react('dave', { messageId: post.id, emoji: '👍', on: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const system = await renameForASystemMessage();
      await expect(w.messaging.react('alice', { messageId: system?.id ?? '', emoji: '👍', on: true })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await w.messaging.recall('carol', { messageId: post.id });
      await expect(w.messaging.react('bob', { messageId: post.id, emoji: '👍', on: true })).rejects.toMatchObject({ code: 'CONFLICT' });
      const dm = await w.dm('alice', 'bob', 'hi');
      await w.friends.block('bob', { userId: 'alice' });
      await expect(w.messaging.react('alice', { messageId: dm.id, emoji: '👍', on: true })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('holds the per-message limits: 20 distinct emoji, 10 of one user (CONFLICT)', async () => {
      const post = await w.post('carol', group.id, 'many');
      const emoji = ['😀', '😁', '😂', '🤣', '😃', '😄', '😅', '😆', '😉', '😊', '😋', '😎', '😍', '😘', '🥰', '😗', '😙', '😚', '🙂', '🤗', '🤩'];
      for (const e of emoji.slice(0, 10)) await w.messaging.react('bob', { messageId: post.id, emoji: e, on: true });
      await expect(w.messaging.react('bob', { messageId: post.id, emoji: at(emoji, 10, 'emoji'), on: true })).rejects.toMatchObject({ code: 'CONFLICT' });
      for (const e of emoji.slice(10, 20)) await w.messaging.react('alice', { messageId: post.id, emoji: e, on: true });
      await expect(w.messaging.react('carol', { messageId: post.id, emoji: at(emoji, 20, 'emoji'), on: true })).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(w.messaging.react('carol', { messageId: post.id, emoji: at(emoji, 0, 'emoji'), on: true })).resolves.toBeUndefined();
    });
  });

  describe('message:delete', () => {
    it("hides a message from the actor alone, telling only the actor's sessions", async () => {
      const post = await w.post('bob', group.id, 'not for carol');
      await w.messaging.delete('carol', { messageId: post.id });
      const [update] = w.updates();
      expect(update?.rooms).toEqual([userRoom('carol')]);
      expect(update?.message).toMatchObject({ id: post.id, deleted: true });
      expect(update?.entry).toMatchObject({ kind: 'change', senderId: 'carol', change: { type: 'delete', messageId: post.id } });

      const carols = await historyOf('carol');
      expect(carols.find((m) => m.id === post.id)).toBeUndefined();
      expect(carols.find((m) => m.id === update?.entry.id)).toBeDefined();
      const bobs = await historyOf('bob');
      expect(bobs.find((m) => m.id === post.id)).toBeDefined();
      expect(bobs.find((m) => m.id === update?.entry.id)).toBeUndefined();
      // Deleting again is done already: no entry, no push. Otherwise gone for carol: nothing more to do with it.
      await expect(w.messaging.delete('carol', { messageId: post.id })).resolves.toBeUndefined();
      expect(w.updates()).toHaveLength(1);
      await expect(w.messaging.react('carol', { messageId: post.id, emoji: '👍', on: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(w.messaging.delete('dave', { messageId: post.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('answers NOT_FOUND only for what is not there for the actor (missing, a change entry), and lets store failures through', async () => {
      const post = await w.post('bob', group.id, 'hello');
      await w.messaging.react('bob', { messageId: post.id, emoji: '👍', on: true });
      const entry = at(w.updates(), 0, 'the reaction').entry;
      await expect(w.messaging.delete('carol', { messageId: 'no-such-message' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(w.messaging.delete('carol', { messageId: entry.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      // The store cannot answer: the actor hears so, not that the message is gone.
      const store = new Proxy(w.store, {
        get: (target, key, receiver) =>
          key === 'getMessageForActor'
            ? async () => {
                throw new ParleyError('UNAVAILABLE', 'the database is down');
              }
            : Reflect.get(target, key, receiver),
      });
      w.useMessaging({ store });
      await expect(w.messaging.delete('carol', { messageId: post.id })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      expect(w.updates()).toHaveLength(1);
    });
  });

  describe('a thousand at once', () => {
    it('refuses reactions and edits beyond the send limit, appending no more than it allows', async () => {
      const post = await w.post('carol', group.id, 'flood me');
      w.useMessaging({ sendLimiter: new RateLimiter(w.clock, { ratePerSec: 1, burst: 5 }) });
      const emoji = ['👍', '👎'];
      const reactions = await Promise.allSettled(
        Array.from({ length: 1000 }, (_, i) => w.messaging.react('bob', { messageId: post.id, emoji: at(emoji, i % 2, 'emoji'), on: i % 4 < 2 })),
      );
      const refused = reactions.filter((r) => r.status === 'rejected');
      expect(refused).toHaveLength(995);
      for (const r of refused) expect(r.reason).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
      const edits = await Promise.allSettled(Array.from({ length: 1000 }, (_, i) => w.messaging.edit('carol', { messageId: post.id, body: { text: `v${i}` } })));
      expect(edits.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
      expect((await historyOf('alice')).filter((m) => m.kind === 'change').length).toBeLessThanOrEqual(10);
    });

    it('spends the cluster quota only on changes that appended an entry', async () => {
      const quota = new MemoryThrottleFactory().create({ name: 'user-send', points: 3, durationSec: 60 });
      const post = await w.post('carol', group.id, 'quota');
      w.useMessaging({ sendQuota: quota });
      await w.messaging.react('bob', { messageId: post.id, emoji: '👍', on: true });
      for (let i = 0; i < 5; i++) await w.messaging.react('bob', { messageId: post.id, emoji: '👍', on: true }); // no-ops give the point back
      await w.messaging.react('bob', { messageId: post.id, emoji: '👍', on: false });
      await w.messaging.react('bob', { messageId: post.id, emoji: '🎉', on: true });
      await expect(w.messaging.react('bob', { messageId: post.id, emoji: '😂', on: true })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
      await expect(w.messaging.send('bob', { to: { type: 'group', id: group.id }, clientMsgId: 'q', kind: 'text', body: { text: 'q' } })).rejects.toMatchObject({
        code: 'RATE_LIMITED',
      });
    });
  });
});
