import { userRoom } from '@parley/protocol';
import { createSocialWorld, type SocialWorld } from './support/social-world';

/** Friends, blocks and the direct-message rules, over the real SQLite engine. */
describe('FriendService and the direct-message rules', () => {
  let w: SocialWorld;

  beforeEach(async () => {
    w = await createSocialWorld();
    await w.addUsers('alice', 'bob', 'carol');
  });

  afterEach(() => w.close());

  describe('friend requests', () => {
    it('sends a request with a note, pushes it to the target, and lists it on both sides', async () => {
      const request = await w.friends.request('alice', { userId: 'bob', note: 'hi, it is me' });
      expect(request).toMatchObject({
        fromUserId: 'alice',
        toUserId: 'bob',
        note: 'hi, it is me',
        status: 'pending',
        fromUser: { id: 'alice', displayName: 'ALICE' },
        toUser: { id: 'bob' },
      });
      const push = w.notifier.published('friend:request');
      expect(push.map((p) => [p.rooms, p.payload])).toEqual([[[userRoom('bob'), userRoom('alice')], { request }]]);
      expect(await w.friends.pending('bob')).toEqual({ incoming: [request], outgoing: [] });
      expect(await w.friends.pending('alice')).toEqual({ incoming: [], outgoing: [request] });
    });

    it('refuses requests to yourself, to unknown users, twice, and between friends', async () => {
      await expect(w.friends.request('alice', { userId: 'alice' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(w.friends.request('alice', { userId: 'nobody' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await w.friends.request('alice', { userId: 'bob' });
      await expect(w.friends.request('alice', { userId: 'bob' })).rejects.toMatchObject({ code: 'CONFLICT' });
      await w.befriend('alice', 'carol');
      await expect(w.friends.request('carol', { userId: 'alice' })).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('treats a deleted account as nobody: no friend request, no group invitation', async () => {
      await w.store.deleteUser('bob', 1);
      await expect(w.friends.request('alice', { userId: 'bob' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const { group } = await w.groups.create('alice', { name: 'team' });
      await expect(w.groups.invite('alice', { groupId: group.id, userIds: ['bob'] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await w.store.getGroupMember(group.id, 'bob')).toBeNull();
    });

    it('lets only the target answer and only the sender cancel', async () => {
      const request = await w.friends.request('alice', { userId: 'bob' });
      for (const [user, accept] of [['alice', true], ['carol', true]] as const) {
        await expect(w.friends.respond(user, { requestId: request.id, accept })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      }
      for (const user of ['bob', 'carol']) {
        await expect(w.friends.cancel(user, { requestId: request.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      }
      expect((await w.friends.pending('bob')).incoming).toHaveLength(1);
      await w.friends.cancel('alice', { requestId: request.id });
      expect(await w.friends.pending('bob')).toEqual({ incoming: [], outgoing: [] });
      await expect(w.friends.respond('bob', { requestId: request.id, accept: true })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(w.notifier.published('friend:update').map((p) => p.payload)).toEqual([
        { request: expect.objectContaining({ id: request.id, status: 'cancelled' }) },
      ]);
    });

    it('befriends on accept, tells both sides, and lists friends with their online status', async () => {
      const request = await w.friends.request('alice', { userId: 'bob' });
      const accepted = await w.friends.respond('bob', { requestId: request.id, accept: true });
      expect(accepted.status).toBe('accepted');
      expect(w.notifier.published('friend:update').map((p) => [p.rooms, p.payload])).toEqual([
        [[userRoom('alice'), userRoom('bob')], { request: accepted }],
      ]);
      await w.presence.addSession('bob', 's1', 'n1');
      expect(await w.friends.list('alice')).toEqual({
        friends: [{ user: expect.objectContaining({ id: 'bob' }), online: true, lastSeenAt: w.clock.now() }],
      });
      expect((await w.friends.list('bob')).friends.map((f) => [f.user.id, f.online])).toEqual([['alice', false]]);
      expect((await w.friends.list('carol')).friends).toEqual([]);
    });

    it('rejects without befriending', async () => {
      const request = await w.friends.request('alice', { userId: 'bob' });
      expect((await w.friends.respond('bob', { requestId: request.id, accept: false })).status).toBe('rejected');
      expect((await w.friends.list('alice')).friends).toEqual([]);
    });

    it('accepts the other side\'s pending request when both ask', async () => {
      const theirs = await w.friends.request('bob', { userId: 'alice' });
      const mine = await w.friends.request('alice', { userId: 'bob' });
      expect(mine).toMatchObject({ id: theirs.id, status: 'accepted' });
      expect((await w.friends.list('alice')).friends.map((f) => f.user.id)).toEqual(['bob']);
    });

    it('removes a friend on both sides and tells each side about the other', async () => {
      await w.befriend('alice', 'bob');
      await w.friends.remove('bob', { userId: 'alice' });
      expect((await w.friends.list('alice')).friends).toEqual([]);
      const removals = w.notifier.published('friend:update').filter((p) => 'removed' in (p.payload as object));
      expect(removals.map((p) => [p.rooms, p.payload])).toEqual([
        [[userRoom('bob')], { userId: 'alice', removed: true }],
        [[userRoom('alice')], { userId: 'bob', removed: true }],
      ]);
      await expect(w.friends.remove('bob', { userId: 'alice' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('blocks', () => {
    it('stops requests in both directions', async () => {
      await w.friends.block('bob', { userId: 'alice' });
      await expect(w.friends.request('alice', { userId: 'bob' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.friends.request('bob', { userId: 'alice' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(w.notifier.published('friend:request')).toEqual([]);
    });

    it('ends the friendship and withdraws pending requests; unblocking restores neither', async () => {
      await w.befriend('alice', 'bob');
      const pending = await w.friends.request('carol', { userId: 'alice' });
      await w.friends.block('alice', { userId: 'bob' });
      await w.friends.block('alice', { userId: 'carol' });
      await w.friends.block('alice', { userId: 'carol' }); // idempotent
      expect((await w.friends.list('bob')).friends).toEqual([]);
      expect((await w.store.getFriendRequest(pending.id))?.status).toBe('cancelled');
      expect((await w.friends.blocked('alice')).map((u) => u.id)).toEqual(['bob', 'carol']);
      await w.friends.unblock('alice', { userId: 'bob' });
      await expect(w.friends.unblock('alice', { userId: 'bob' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect((await w.friends.blocked('alice')).map((u) => u.id)).toEqual(['carol']);
      expect((await w.friends.list('alice')).friends).toEqual([]);
      await expect(w.friends.block('alice', { userId: 'alice' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });
  });

  describe('direct messages', () => {
    it('are friends-only by default: a stranger gets FORBIDDEN and nothing is stored', async () => {
      await expect(w.dm('alice', 'bob', 'hello stranger')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await w.store.listMemberConversations('bob')).toEqual([]);
      await w.befriend('alice', 'bob');
      expect((await w.dm('alice', 'bob', 'hello friend')).seq).toBe(1);
    });

    it('reach a user who accepts messages from anyone', async () => {
      await w.store.updateProfile('bob', { dmPolicy: 'anyone' });
      expect((await w.dm('carol', 'bob', 'hi')).seq).toBe(1);
      // Bob's setting does not open Carol's inbox.
      await expect(w.dm('bob', 'carol', 'hi back')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('stop in both directions once one side blocks, friends or not, and typing with them', async () => {
      await w.befriend('alice', 'bob');
      await w.dm('alice', 'bob', 'before');
      // Both accept anyone, so only the block stands in the way.
      await w.store.updateProfile('alice', { dmPolicy: 'anyone' });
      await w.store.updateProfile('bob', { dmPolicy: 'anyone' });
      await w.friends.block('alice', { userId: 'bob' });
      await expect(w.dm('bob', 'alice', 'let me in')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.dm('alice', 'bob', 'you are blocked')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.messaging.typing('bob', 'd:alice:bob')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(w.notifier.published('message:new')).toHaveLength(1);
      await w.friends.unblock('alice', { userId: 'bob' });
      expect((await w.dm('bob', 'alice', 'thanks')).seq).toBe(2);
      expect((await w.dm('alice', 'bob', 'welcome')).seq).toBe(3);
    });
  });

  it('announces presence changes to friends only', async () => {
    await w.befriend('alice', 'bob');
    await w.store.updateProfile('carol', { dmPolicy: 'anyone' });
    await w.dm('alice', 'carol', 'a stranger, but we talk');
    await w.sessions.connected('alice', 's1');
    await w.sessions.disconnected('alice', 's1');
    expect(w.notifier.published('presence:update').map((p) => [p.rooms, (p.payload as { online: boolean }).online])).toEqual([
      [[userRoom('bob')], true],
      [[userRoom('bob')], false],
    ]);
  });
});
