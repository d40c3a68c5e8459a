import { ConversationService, ConversationSettingsService } from '@parley/domain';
import { directConversationId, groupConversationId } from '@parley/protocol';
import { at } from '@parley/testing';
import { createSocialWorld, type SocialWorld } from './support/social-world';

/** `conversation:list` over the real SQLite engine. */
describe('ConversationService', () => {
  let w: SocialWorld;
  let conversations: ConversationService;

  beforeEach(async () => {
    w = await createSocialWorld();
    await w.addUsers('alice', 'bob', 'carol');
    await w.befriend('alice', 'bob');
    await w.befriend('alice', 'carol');
    conversations = new ConversationService({ store: w.store });
  });

  afterEach(() => w.close());

  it('lists nothing for a user who has no conversation', async () => {
    expect(await conversations.list('carol')).toEqual([]);
  });

  it('lists direct and group conversations, most recent activity first, with the peer or the group', async () => {
    const dm = await w.dm('alice', 'bob', 'hi');
    w.clock.t += 1000;
    const { group } = await w.groups.create('alice', { name: 'club', memberIds: ['carol'] });
    w.clock.t += 1000;
    const post = await w.post('carol', group.id, 'hello club');

    const list = await conversations.list('alice');
    expect(list.map((c) => c.conversationId)).toEqual([groupConversationId(group.id), directConversationId('alice', 'bob')]);
    expect(list[0]).toMatchObject({ type: 'group', group: { id: group.id, name: 'club' }, lastMessage: { id: post.id } });
    expect(at(list, 0, 'conversation').peer).toBeUndefined();
    expect(list[1]).toEqual({
      conversationId: dm.conversationId,
      type: 'direct',
      peer: { id: 'bob', username: 'bob', displayName: 'BOB' },
      lastMessage: dm,
      lastSeq: 1,
      readSeq: 1, // the sender has read what they sent
      peerReadSeq: 0,
      unread: 0,
      mentioned: false,
      notify: 'all',
      mutedUntil: null,
      pinnedAt: null,
    });
    expect((await conversations.list('bob')).map((c) => [c.conversationId, c.unread, c.peer?.id])).toEqual([
      [dm.conversationId, 1, 'alice'],
    ]);
  });

  it('counts unread from the read cursor and shows how far the peer has read', async () => {
    await w.dm('alice', 'bob', 'one');
    const last = await w.dm('alice', 'bob', 'two');
    expect((await conversations.list('bob'))[0]).toMatchObject({ unread: 2, readSeq: 0, lastSeq: 2 });
    await w.messaging.markRead('bob', { conversationId: last.conversationId, seq: 1 });
    expect((await conversations.list('bob'))[0]).toMatchObject({ unread: 1, readSeq: 1 });
    expect((await conversations.list('alice'))[0]).toMatchObject({ unread: 0, peerReadSeq: 1 });
  });

  it('drops a group the user has left', async () => {
    const { group } = await w.groups.create('alice', { name: 'club', memberIds: ['carol'] });
    expect((await conversations.list('carol')).map((c) => c.group?.id)).toEqual([group.id]);
    await w.groups.leave('carol', { groupId: group.id });
    expect(await conversations.list('carol')).toEqual([]);
  });

  describe('with conversation settings', () => {
    let settings: ConversationSettingsService;
    beforeEach(() => {
      settings = new ConversationSettingsService({ store: w.store, notifier: w.notifier, clock: w.clock });
    });

    it('lists pinned conversations first, the latest pin first, with the member\'s own settings', async () => {
      await w.befriend('bob', 'carol');
      const ab = await w.dm('alice', 'bob', 'one');
      w.clock.t += 1000;
      const ac = await w.dm('alice', 'carol', 'two');
      w.clock.t += 1000;
      const { group } = await w.groups.create('alice', { name: 'club', memberIds: ['bob'] });
      const club = groupConversationId(group.id);
      await w.post('bob', group.id, 'newest');
      expect((await conversations.list('alice')).map((c) => c.conversationId)).toEqual([club, ac.conversationId, ab.conversationId]);

      w.clock.t += 1000;
      await settings.update('alice', { conversationId: ab.conversationId, pinned: true });
      w.clock.t += 1000;
      await settings.update('alice', { conversationId: ac.conversationId, pinned: true, notify: 'mentions', mutedUntil: w.clock.t + 60_000 });
      const list = await conversations.list('alice');
      expect(list.map((c) => [c.conversationId, c.pinnedAt])).toEqual([
        [ac.conversationId, w.clock.t],
        [ab.conversationId, w.clock.t - 1000],
        [club, null],
      ]);
      expect(list[0]).toMatchObject({ notify: 'mentions', mutedUntil: w.clock.t + 60_000 });
      // Bob's view of the same conversations is his own.
      expect((await conversations.list('bob')).map((c) => [c.conversationId, c.pinnedAt, c.notify])).toEqual([
        [club, null, 'all'],
        [ab.conversationId, null, 'all'],
      ]);
      await settings.update('alice', { conversationId: ac.conversationId, pinned: false });
      expect((await conversations.list('alice')).map((c) => c.conversationId)).toEqual([ab.conversationId, club, ac.conversationId]);
    });

    it('refuses a conversation the user is not in (NOT_FOUND) and a malformed id, and tells no one', async () => {
      const ab = await w.dm('alice', 'bob', 'hi');
      await expect(settings.update('carol', { conversationId: ab.conversationId, pinned: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(settings.update('carol', { conversationId: 'nonsense', pinned: true })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(w.notifier.published('conversation:settings')).toEqual([]);
      expect((await conversations.list('alice'))[0]).toMatchObject({ pinnedAt: null, notify: 'all' });
    });

    it('tells the user\'s other sessions, not the caller\'s', async () => {
      const ab = await w.dm('alice', 'bob', 'hi');
      const updated = await settings.update('alice', { conversationId: ab.conversationId, notify: 'none' }, 'sock-a');
      expect(w.notifier.published('conversation:settings')).toEqual([
        expect.objectContaining({ rooms: ['user:alice'], payload: { settings: updated }, options: { exceptSession: 'sock-a' } }),
      ]);
    });
  });
});
