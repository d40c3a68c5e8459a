import type { Store, UserRecord } from '@parley/domain';
import { groupConversationId, type ErrorCode } from '@parley/protocol';

export interface SocialContractContext {
  store(): Store;
  createUser(): Promise<UserRecord>;
  nextId(prefix: string): string;
  now(): number;
  expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void>;
}

/** The social part of the Store contract: friends, blocks, settings, group administration. */
export function describeSocialContract(ctx: SocialContractContext): void {
  const { createUser, nextId, now, expectCode } = ctx;

  const newGroup = async (ownerId: string, memberIds: string[] = []): Promise<string> => {
    const id = nextId('G');
    await ctx.store().createGroup({ id, name: `group ${id}`, ownerId, memberIds, createdAt: now() });
    return id;
  };

  const friendRequest = (fromUserId: string, toUserId: string, note: string | null = null) =>
    ctx.store().createFriendRequest({ id: nextId('FR'), fromUserId, toUserId, note, createdAt: now() });

  describe('settings', () => {
    it('starts users on the friends-only DM policy and patches it', async () => {
      const store = ctx.store();
      const user = await createUser();
      expect(user.dmPolicy).toBe('friends');
      expect((await store.getUser(user.id))?.dmPolicy).toBe('friends');
      expect(await store.updateProfile(user.id, { dmPolicy: 'anyone' })).toMatchObject({ dmPolicy: 'anyone' });
      expect((await store.getUser(user.id))?.dmPolicy).toBe('anyone');
    });
  });

  describe('friend requests and friendships', () => {
    it('keeps one pending request per direction and lists pending requests of both sides', async () => {
      const store = ctx.store();
      const [a, b, c] = [await createUser(), await createUser(), await createUser()];
      const ab = await friendRequest(a.id, b.id, 'hi 👋');
      expect(ab).toMatchObject({ fromUserId: a.id, toUserId: b.id, note: 'hi 👋', status: 'pending' });
      expect(await store.getFriendRequest(ab.id)).toEqual(ab);
      await expectCode(friendRequest(a.id, b.id), 'CONFLICT');
      const ba = await friendRequest(b.id, a.id);
      const ca = await friendRequest(c.id, a.id);
      expect(await store.findPendingFriendRequest(a.id, b.id)).toEqual(ab);
      expect(await store.findPendingFriendRequest(a.id, c.id)).toBeNull();
      expect((await store.listPendingFriendRequests(a.id)).map((r) => r.id)).toEqual([ab.id, ba.id, ca.id]);
      expect((await store.listPendingFriendRequests(c.id)).map((r) => r.id)).toEqual([ca.id]);
      await expectCode(friendRequest(a.id, 'nobody'), 'NOT_FOUND');
      expect(await store.getFriendRequest('nope')).toBeNull();
    });

    it('accepts a request into a friendship both ways, once', async () => {
      const store = ctx.store();
      const [a, b] = [await createUser(), await createUser()];
      const request = await friendRequest(a.id, b.id);
      const at = now();
      const accepted = await store.resolveFriendRequest(request.id, 'accepted', at);
      expect(accepted).toMatchObject({ id: request.id, status: 'accepted', updatedAt: at });
      expect(await store.listFriendIds(a.id)).toEqual([b.id]);
      expect(await store.listFriendIds(b.id)).toEqual([a.id]);
      expect(await store.getRelation(a.id, b.id)).toEqual({ friends: true, blocking: false, blockedBy: false });
      await expectCode(store.resolveFriendRequest(request.id, 'rejected', now()), 'CONFLICT');
      await expectCode(store.resolveFriendRequest('nope', 'accepted', now()), 'NOT_FOUND');
      expect(await store.listPendingFriendRequests(b.id)).toEqual([]);
      // Answered requests free the pair for a new one.
      expect((await friendRequest(a.id, b.id)).status).toBe('pending');
    });

    it('rejects and cancels without befriending, and removes friendships both ways', async () => {
      const store = ctx.store();
      const [a, b, c] = [await createUser(), await createUser(), await createUser()];
      await store.resolveFriendRequest((await friendRequest(a.id, b.id)).id, 'rejected', now());
      await store.resolveFriendRequest((await friendRequest(a.id, c.id)).id, 'cancelled', now());
      expect(await store.listFriendIds(a.id)).toEqual([]);
      await store.resolveFriendRequest((await friendRequest(c.id, a.id)).id, 'accepted', now());
      expect(await store.removeFriendship(a.id, c.id)).toBe(true);
      expect(await store.removeFriendship(c.id, a.id)).toBe(false);
      expect(await store.listFriendIds(a.id)).toEqual([]);
      expect(await store.listFriendIds(c.id)).toEqual([]);
    });
  });

  describe('blocks', () => {
    it('adds blocks idempotently, reports them from both sides and removes them', async () => {
      const store = ctx.store();
      const [a, b] = [await createUser(), await createUser()];
      expect(await store.addBlock(a.id, b.id, now())).toBe(true);
      expect(await store.addBlock(a.id, b.id, now())).toBe(false);
      expect(await store.getRelation(a.id, b.id)).toEqual({ friends: false, blocking: true, blockedBy: false });
      expect(await store.getRelation(b.id, a.id)).toEqual({ friends: false, blocking: false, blockedBy: true });
      expect(await store.listBlockedIds(a.id)).toEqual([b.id]);
      expect(await store.listBlockedIds(b.id)).toEqual([]);
      const c = await createUser();
      expect(await store.listBlockersAmong(b.id, [c.id, a.id, 'nobody'])).toEqual([a.id]);
      expect(await store.listBlockersAmong(a.id, [b.id])).toEqual([]);
      expect(await store.listBlockersAmong(b.id, [])).toEqual([]);
      expect(await store.removeBlock(a.id, b.id)).toBe(true);
      expect(await store.removeBlock(a.id, b.id)).toBe(false);
      expect(await store.getRelation(a.id, b.id)).toEqual({ friends: false, blocking: false, blockedBy: false });
      await expectCode(store.addBlock(a.id, 'nobody', now()), 'NOT_FOUND');
    });

    it('reads a recipient and the sender\'s relation to them in one call', async () => {
      const store = ctx.store();
      const [a, b] = [await createUser(), await createUser()];
      await store.addBlock(b.id, a.id, now());
      const seen = await store.getDirectContext(a.id, b.id);
      expect(seen?.recipient).toEqual(await store.getUser(b.id));
      expect(seen?.relation).toEqual({ friends: false, blocking: false, blockedBy: true });
      expect((await store.getDirectContext(b.id, a.id))?.relation).toEqual({ friends: false, blocking: true, blockedBy: false });
      expect(await store.getDirectContext(a.id, 'nobody')).toBeNull();
    });

    it('answers a burst of concurrent lookups each with its own pair (engines may batch them)', async () => {
      const store = ctx.store();
      const [a, b, c, d] = [await createUser(), await createUser(), await createUser(), await createUser()];
      await store.resolveFriendRequest((await friendRequest(a.id, b.id)).id, 'accepted', now());
      await store.addBlock(c.id, a.id, now());
      const pairs: [string, string][] = [
        [a.id, b.id],
        [a.id, c.id],
        [c.id, a.id],
        [a.id, 'nobody'],
        [d.id, a.id],
        [b.id, a.id],
      ];
      const seen = await Promise.all(pairs.map(([from, to]) => store.getDirectContext(from, to)));
      expect(seen.map((s) => s?.recipient.id ?? null)).toEqual([b.id, c.id, a.id, null, a.id, a.id]);
      expect(seen.map((s) => s?.relation ?? null)).toEqual([
        { friends: true, blocking: false, blockedBy: false },
        { friends: false, blocking: false, blockedBy: true },
        { friends: false, blocking: true, blockedBy: false },
        null,
        { friends: false, blocking: false, blockedBy: false },
        { friends: true, blocking: false, blockedBy: false },
      ]);
    });
  });

  describe('group administration', () => {
    it('reads what a group post needs (mute-all and the poster\'s membership) in one call, also in bursts', async () => {
      const store = ctx.store();
      const [owner, member, stranger] = [await createUser(), await createUser(), await createUser()];
      const groupId = await newGroup(owner.id, [member.id]);
      await store.setGroupMemberMute(groupId, member.id, 1_900_000_000_000);
      await store.updateGroup(groupId, { muteAll: true });
      const [ofOwner, ofMember, ofStranger, ofNoGroup] = await Promise.all([
        store.getGroupPostContext(groupId, owner.id),
        store.getGroupPostContext(groupId, member.id),
        store.getGroupPostContext(groupId, stranger.id),
        store.getGroupPostContext('no-such-group', owner.id),
      ]);
      expect(ofOwner).toEqual({ muteAll: true, member: await store.getGroupMember(groupId, owner.id) });
      expect(ofOwner?.member?.role).toBe('owner');
      expect(ofMember).toEqual({ muteAll: true, member: expect.objectContaining({ userId: member.id, role: 'member', mutedUntil: 1_900_000_000_000 }) });
      expect(ofStranger).toEqual({ muteAll: true, member: null });
      expect(ofNoGroup).toBeNull();
      await store.updateGroup(groupId, { muteAll: false });
      expect((await store.getGroupPostContext(groupId, stranger.id))?.muteAll).toBe(false);
    });

    it('adds members with nothing unread, skips existing ones, and keeps history readable', async () => {
      const store = ctx.store();
      const [owner, early, late] = [await createUser(), await createUser(), await createUser()];
      const groupId = await newGroup(owner.id, [early.id]);
      const conversationId = groupConversationId(groupId);
      for (let i = 0; i < 3; i++) {
        await store.appendMessage({
          id: nextId('M'),
          conversationId,
          conversationType: 'group',
          memberIds: [],
          senderId: owner.id,
          kind: 'text',
          body: { text: `before ${i}` },
          clientMsgId: nextId('c'),
          createdAt: now(),
        });
      }
      const at = now();
      expect(await store.addGroupMembers(groupId, [late.id, early.id, late.id], at, 10)).toEqual([late.id]);
      expect(await store.getGroupMember(groupId, late.id)).toEqual({
        groupId,
        userId: late.id,
        role: 'member',
        joinedAt: at,
        mutedUntil: null,
      });
      expect(await store.getMemberConversation(late.id, conversationId)).toMatchObject({ lastSeq: 3, deliveredSeq: 3, readSeq: 3 });
      expect((await store.getMessages(conversationId, { afterSeq: 0, limit: 10 })).length).toBe(3);
      expect((await store.getGroup(groupId))?.memberCount).toBe(3);
      expect(await store.addGroupMembers(groupId, [early.id], now(), 10)).toEqual([]);
    });

    it('refuses to exceed the member limit, unknown users and unknown groups, adding nobody', async () => {
      const store = ctx.store();
      const [owner, a, b] = [await createUser(), await createUser(), await createUser()];
      const groupId = await newGroup(owner.id);
      await expectCode(store.addGroupMembers(groupId, [a.id, b.id], now(), 2), 'CONFLICT');
      await expectCode(store.addGroupMembers(groupId, [a.id, 'nobody'], now(), 10), 'NOT_FOUND');
      await expectCode(store.addGroupMembers('nope', [a.id], now(), 10), 'NOT_FOUND');
      expect((await store.listGroupMembers(groupId)).map((m) => m.userId)).toEqual([owner.id]);
      expect(await store.addGroupMembers(groupId, [a.id], now(), 2)).toEqual([a.id]);
    });

    it('removes a member with their conversation membership', async () => {
      const store = ctx.store();
      const [owner, member] = [await createUser(), await createUser()];
      const groupId = await newGroup(owner.id, [member.id]);
      expect(await store.removeGroupMember(groupId, member.id)).toBe(true);
      expect(await store.removeGroupMember(groupId, member.id)).toBe(false);
      expect(await store.getGroupMember(groupId, member.id)).toBeNull();
      expect(await store.getMemberConversation(member.id, groupConversationId(groupId))).toBeNull();
      expect(await store.listUserGroupIds(member.id)).toEqual([]);
      expect((await store.getGroup(groupId))?.memberCount).toBe(1);
    });

    it('changes roles, never the owner\'s, and transfers ownership atomically', async () => {
      const store = ctx.store();
      const [owner, a, b] = [await createUser(), await createUser(), await createUser()];
      const groupId = await newGroup(owner.id, [a.id, b.id]);
      await store.setGroupMemberRole(groupId, a.id, 'admin');
      expect((await store.getGroupMember(groupId, a.id))?.role).toBe('admin');
      await expectCode(store.setGroupMemberRole(groupId, owner.id, 'member'), 'NOT_FOUND');
      await expectCode(store.setGroupMemberRole(groupId, 'nobody', 'admin'), 'NOT_FOUND');
      await store.transferGroupOwnership(groupId, owner.id, b.id);
      expect((await store.getGroup(groupId))?.ownerId).toBe(b.id);
      expect((await store.getGroupMember(groupId, owner.id))?.role).toBe('admin');
      expect((await store.getGroupMember(groupId, b.id))?.role).toBe('owner');
      // The former owner is no owner any more: nothing changes.
      await expectCode(store.transferGroupOwnership(groupId, owner.id, a.id), 'NOT_FOUND');
      expect((await store.getGroup(groupId))?.ownerId).toBe(b.id);
      expect((await store.getGroupMember(groupId, a.id))?.role).toBe('admin');
    });

    it('mutes and unmutes members', async () => {
      const store = ctx.store();
      const [owner, member] = [await createUser(), await createUser()];
      const groupId = await newGroup(owner.id, [member.id]);
      await store.setGroupMemberMute(groupId, member.id, 1_900_000_000_000);
      expect((await store.getGroupMember(groupId, member.id))?.mutedUntil).toBe(1_900_000_000_000);
      await store.setGroupMemberMute(groupId, member.id, null);
      expect((await store.getGroupMember(groupId, member.id))?.mutedUntil).toBeNull();
      await expectCode(store.setGroupMemberMute(groupId, 'nobody', 1), 'NOT_FOUND');
    });

    it('patches group settings and lists a user\'s groups by name', async () => {
      const store = ctx.store();
      const [owner, member] = [await createUser(), await createUser()];
      const g1 = await newGroup(owner.id, [member.id]);
      const updated = await store.updateGroup(g1, { name: 'zz renamed', announcement: 'read me', muteAll: true, isPublic: true });
      expect(updated).toMatchObject({ id: g1, name: 'zz renamed', announcement: 'read me', muteAll: true, isPublic: true, joinApproval: false, memberCount: 2 });
      expect(await store.updateGroup(g1, { joinApproval: true, muteAll: false, announcement: null })).toMatchObject({
        name: 'zz renamed',
        announcement: null,
        muteAll: false,
        joinApproval: true,
      });
      const g2 = await newGroup(member.id);
      const aa = await store.updateGroup(g2, { name: 'aa first' });
      expect((await store.listUserGroups(member.id)).map((g) => g.id)).toEqual([aa.id, g1]);
      expect((await store.listUserGroups(owner.id)).map((g) => g.id)).toEqual([g1]);
      await expectCode(store.updateGroup('nope', { name: 'x' }), 'NOT_FOUND');
    });

    it('searches public groups by name, case-insensitively, by name then id, paged', async () => {
      const store = ctx.store();
      const owner = await createUser();
      // A token of this test run: other tests' groups share the store.
      const tag = nextId('srch').toLowerCase();
      const named = async (name: string, isPublic: boolean): Promise<string> => {
        const id = await newGroup(owner.id);
        await store.updateGroup(id, { name, isPublic });
        return id;
      };
      const beta = await named(`Beta ${tag}`, true);
      const alpha = await named(`alpha ${tag.toUpperCase()}`, true);
      const alpha2 = await named(`alpha ${tag}`, true);
      await named(`secret ${tag}`, false);
      const pct = await named(`100% ${tag}_x`, true);
      const [first, second] = [alpha, alpha2].sort();
      const ids = async (q: string, limit = 10, offset = 0) => (await store.searchPublicGroups(q, limit, offset)).map((g) => g.id);
      expect(await ids(tag)).toEqual([pct, first, second, beta]);
      expect(await ids(tag, 2, 1)).toEqual([first, second]);
      expect(await ids(tag, 10, 4)).toEqual([]);
      expect(await ids(`BETA ${tag}`)).toEqual([beta]);
      // Private groups never appear, and LIKE wildcards in the query are literal.
      expect(await ids(`secret ${tag}`)).toEqual([]);
      expect(await ids(`% ${tag}`)).toEqual([pct]);
      expect(await ids(`${tag}_`)).toEqual([pct]);
      expect(await ids(`a ${tag}`.replace(' ', '_'))).toEqual([]);
      expect((await store.searchPublicGroups(`Beta ${tag}`, 1, 0))[0]).toMatchObject({ isPublic: true, memberCount: 1 });
    });

    it('deletes a group with its members, requests, conversation and messages', async () => {
      const store = ctx.store();
      const [owner, member, asker] = [await createUser(), await createUser(), await createUser()];
      const groupId = await newGroup(owner.id, [member.id]);
      const conversationId = groupConversationId(groupId);
      await store.appendMessage({
        id: nextId('M'),
        conversationId,
        conversationType: 'group',
        memberIds: [],
        senderId: member.id,
        kind: 'text',
        body: { text: 'soon gone' },
        clientMsgId: nextId('c'),
        createdAt: now(),
      });
      const { request } = await store.createGroupJoinRequest({ id: nextId('JR'), groupId, userId: asker.id, inviterId: null, createdAt: now() });
      expect(await store.deleteGroup(groupId)).toBe(true);
      expect(await store.deleteGroup(groupId)).toBe(false);
      expect(await store.getGroup(groupId)).toBeNull();
      expect(await store.listGroupMembers(groupId)).toEqual([]);
      expect(await store.listUserGroupIds(member.id)).toEqual([]);
      expect(await store.getMemberConversation(member.id, conversationId)).toBeNull();
      expect(await store.getMessages(conversationId, { afterSeq: 0, limit: 10 })).toEqual([]);
      expect(await store.getGroupJoinRequest(request.id)).toBeNull();
    });

    it('keeps one pending join request per user and group, and resolves it once', async () => {
      const store = ctx.store();
      const [owner, member, asker] = [await createUser(), await createUser(), await createUser()];
      const groupId = await newGroup(owner.id, [member.id]);
      const first = await store.createGroupJoinRequest({ id: nextId('JR'), groupId, userId: asker.id, inviterId: member.id, createdAt: now() });
      expect(first).toMatchObject({ created: true, request: { groupId, userId: asker.id, inviterId: member.id, status: 'pending' } });
      const again = await store.createGroupJoinRequest({ id: nextId('JR'), groupId, userId: asker.id, inviterId: null, createdAt: now() });
      expect(again).toEqual({ created: false, request: first.request });
      expect(await store.getGroupJoinRequest(first.request.id)).toEqual(first.request);
      expect(await store.listGroupJoinRequests(groupId)).toEqual([first.request]);
      const resolved = await store.resolveGroupJoinRequest(first.request.id, 'rejected', now());
      expect(resolved.status).toBe('rejected');
      await expectCode(store.resolveGroupJoinRequest(first.request.id, 'accepted', now()), 'CONFLICT');
      await expectCode(store.resolveGroupJoinRequest('nope', 'accepted', now()), 'NOT_FOUND');
      expect(await store.listGroupJoinRequests(groupId)).toEqual([]);
      const next = await store.createGroupJoinRequest({ id: nextId('JR'), groupId, userId: asker.id, inviterId: null, createdAt: now() });
      expect(next.created).toBe(true);
      await expectCode(
        store.createGroupJoinRequest({ id: nextId('JR'), groupId: 'nope', userId: asker.id, inviterId: null, createdAt: now() }),
        'NOT_FOUND',
      );
    });
  });
}
