import { ConversationService } from '@parley/domain';
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
});
