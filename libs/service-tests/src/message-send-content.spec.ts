import { MessagingService } from '@parley/domain';
import { directConversationId, groupConversationId, type Group, type SendMessageInput } from '@parley/protocol';
import { createMessagingWorld, type MessagingWorld } from './support/messaging-world';

/** What a send may carry besides text: a reply, mentions, an attachment; and the content policy on the way in. */
describe('MessagingService sends with replies, mentions and attachments', () => {
  let w: MessagingWorld;
  let group: Group;
  let n = 0;
  const toGroup = (extra: Partial<SendMessageInput> & { text?: string } = {}): SendMessageInput => {
    const { text = 'hi', ...rest } = extra;
    return { to: { type: 'group', id: group.id }, clientMsgId: `s${++n}`, kind: 'text', body: { text }, ...rest } as SendMessageInput;
  };
  const toBob = (extra: Partial<SendMessageInput> & { text?: string } = {}): SendMessageInput => ({ ...toGroup(extra), to: { type: 'user', id: 'bob' } }) as SendMessageInput;

  beforeEach(async () => {
    w = await createMessagingWorld();
    await w.addUsers('alice', 'bob', 'carol', 'dave');
    await w.befriend('alice', 'bob');
    await w.befriend('alice', 'carol');
    await w.befriend('dave', 'carol');
    group = await w.groupWith('alice', 'club', ['bob', 'carol']);
  });

  afterEach(() => w.close());

  describe('replyTo', () => {
    it('carries the id and a quote of the target as it is now', async () => {
      const target = await w.post('bob', group.id, 'x'.repeat(200));
      const reply = await w.messaging.send('carol', toGroup({ text: 'agreed', replyTo: target.id }));
      expect(reply.replyTo).toBe(target.id);
      expect(reply.quote).toEqual({ messageId: target.id, senderId: 'bob', kind: 'text', text: 'x'.repeat(140) });
    });

    it('refuses a target of another conversation, a change entry, an unknown id: NOT_FOUND, nothing stored', async () => {
      const elsewhere = await w.dm('alice', 'bob', 'private');
      const target = await w.post('bob', group.id, 'react to me');
      await w.messaging.react('alice', { messageId: target.id, emoji: '👍', on: true });
      const entry = w.updates().at(-1)?.entry;
      for (const replyTo of [elsewhere.id, entry?.id ?? 'none', 'no-such-message']) {
        await expect(w.messaging.send('carol', toGroup({ replyTo }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      }
      // A direct chat cannot answer a group message either, even the sender's own.
      await expect(w.messaging.send('alice', toBob({ replyTo: target.id }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const { messages } = await w.messaging.history('carol', { conversationId: groupConversationId(group.id), limit: 50 });
      expect(messages.filter((m) => m.senderId === 'carol' && m.kind === 'text')).toEqual([]);
    });

    it('refuses a target the sender deleted for themselves', async () => {
      const target = await w.post('bob', group.id, 'gone for carol');
      await w.messaging.delete('carol', { messageId: target.id });
      await expect(w.messaging.send('carol', toGroup({ replyTo: target.id }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(w.messaging.send('alice', toGroup({ replyTo: target.id }))).resolves.toMatchObject({ replyTo: target.id });
    });
  });

  describe('mentions', () => {
    it('stores mentions of members', async () => {
      const sent = await w.messaging.send('bob', toGroup({ text: '@carol look', mentions: ['carol'] }));
      expect(sent.mentions).toEqual(['carol']);
    });

    it('names the non-members in INVALID_ARGUMENT and stores nothing', async () => {
      await expect(w.messaging.send('bob', toGroup({ mentions: ['carol', 'dave', 'nobody'] }))).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/dave, nobody/),
      });
      await expect(w.messaging.send('alice', toBob({ mentions: ['carol'] }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(w.messaging.send('alice', toBob({ mentions: ['bob', 'alice'] }))).resolves.toMatchObject({ mentions: ['bob', 'alice'] });
      const pushed = w.notifier.published('message:new').map((p) => p.payload as { kind: string; body: { text: string } });
      expect(pushed.filter((m) => m.kind === 'text').map((m) => m.body.text)).toEqual(['hi']);
    });

    it('lets only the owner and admins mention @all, and only in groups', async () => {
      await expect(w.messaging.send('bob', toGroup({ mentions: ['@all'] }))).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.messaging.send('alice', toBob({ mentions: ['@all'] }))).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.messaging.send('alice', toGroup({ mentions: ['@all'] }))).resolves.toMatchObject({ mentions: ['@all'] });
      await w.admin.setRole('alice', { groupId: group.id, userId: 'bob', role: 'admin' });
      await expect(w.messaging.send('bob', toGroup({ mentions: ['@all'] }))).resolves.toMatchObject({ mentions: ['@all'] });
    });
  });

  describe('image and file', () => {
    const image = (attachmentId: string, caption?: string) =>
      toGroup({ kind: 'image', body: { attachmentId, ...(caption !== undefined && { caption }) } } as Partial<SendMessageInput>);

    it('claims the upload and stores its measured metadata with the caption', async () => {
      w.uploads.add('bob', 'up1');
      const sent = await w.messaging.send('bob', image('up1', 'my cat'));
      expect(sent).toMatchObject({
        kind: 'image',
        body: { text: 'my cat', caption: 'my cat', attachment: { id: 'up1', mime: 'image/png', width: 40, height: 30 } },
      });
      w.uploads.add('bob', 'up2', 'application/pdf');
      const file = await w.messaging.send('bob', { ...image('up2'), kind: 'file' } as SendMessageInput);
      expect(file.body).toEqual({ text: '', attachment: expect.objectContaining({ id: 'up2', name: 'notes.pdf' }) });
    });

    it("refuses someone else's upload, a used one, and an image that is not one", async () => {
      w.uploads.add('bob', 'bobs');
      await expect(w.messaging.send('carol', image('bobs'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await w.messaging.send('bob', image('bobs'));
      await expect(w.messaging.send('bob', image('bobs'))).rejects.toMatchObject({ code: 'CONFLICT' });
      w.uploads.add('bob', 'pdf', 'application/pdf');
      await expect(w.messaging.send('bob', image('pdf'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });

    it('answers a retried send with the stored message (the upload claimed once)', async () => {
      w.uploads.add('bob', 'up1');
      const input = image('up1');
      const first = await w.messaging.send('bob', input);
      await expect(w.messaging.send('bob', input)).resolves.toEqual(first);
    });

    it('is UNAVAILABLE when attachments are not configured', async () => {
      const bare = new MessagingService({ store: w.store, notifier: w.notifier, ids: { next: () => 'bare1' }, clock: w.clock });
      w.uploads.add('bob', 'up1');
      await expect(bare.send('bob', image('up1'))).rejects.toMatchObject({ code: 'UNAVAILABLE', message: 'attachments are not configured' });
    });
  });

  describe('content policy', () => {
    it('masks filtered words, lets the service reject, and asks it once per message (not for a retry)', async () => {
      const masked = await w.messaging.send('bob', toGroup({ text: 'darn it' }));
      expect(masked.body.text).toBe('**** it');
      await expect(w.messaging.send('bob', toGroup({ text: 'buy spam' }))).rejects.toMatchObject({ code: 'CONTENT_REJECTED' });
      const input = toGroup({ text: 'once' });
      await w.messaging.send('bob', input);
      await w.messaging.send('bob', input);
      expect(w.hookCalls.map((c) => c.text)).toEqual(['**** it', 'buy spam', 'once']);
      expect(w.hookCalls[0]).toMatchObject({ senderId: 'bob', conversationId: groupConversationId(group.id), conversationType: 'group', kind: 'text' });
    });

    it('screens captions, with the attachment described to the service', async () => {
      w.uploads.add('bob', 'up1');
      const sent = await w.messaging.send('bob', toGroup({ kind: 'image', body: { attachmentId: 'up1', caption: 'darn cat' } } as Partial<SendMessageInput>));
      expect(sent.body).toMatchObject({ text: '**** cat', caption: '**** cat' });
      expect(w.hookCalls.at(-1)).toMatchObject({ kind: 'image', attachment: { id: 'up1', name: 'cat.png', mime: 'image/png', size: 1234 } });
    });

    it('passes direct messages through it too', async () => {
      await expect(w.messaging.send('alice', toBob({ text: 'spam spam' }))).rejects.toMatchObject({ code: 'CONTENT_REJECTED' });
      expect(w.hookCalls.at(-1)).toMatchObject({ conversationId: directConversationId('alice', 'bob'), conversationType: 'direct' });
    });
  });
});
