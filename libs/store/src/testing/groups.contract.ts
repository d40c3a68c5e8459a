import type { Store } from '@parley/domain';
import { groupConversationId } from '@parley/protocol';
import type { StoreContractContext } from './contract-context';

/** GroupStore: groups, settings, members, roles and mutes. */
export function describeGroupStoreContract(ctx: StoreContractContext): void {
  const { createUser, nextId, now, newGroup, expectRefusal } = ctx;

  describe('GroupStore', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store();
    });

    describe('groups', () => {
      it('creates a group with its members, roles and conversation in one go', async () => {
        const [owner, m1, m2] = [await createUser(), await createUser(), await createUser()];
        const groupId = nextId('G');
        const created = await store.createGroup({
          id: groupId,
          name: 'Team',
          ownerId: owner.id,
          memberIds: [m1.id, m2.id, m1.id, owner.id],
          createdAt: now(),
        });
        expect(created).toMatchObject({ id: groupId, name: 'Team', ownerId: owner.id, memberCount: 3, muteAll: false });
        expect(await store.getGroup(groupId)).toEqual(created);
        const members = await store.listGroupMembers(groupId);
        expect(members.map((m) => [m.userId, m.role]).sort()).toEqual(
          [
            [owner.id, 'owner'],
            [m1.id, 'member'],
            [m2.id, 'member'],
          ].sort(),
        );
        expect(await store.getGroupMember(groupId, m2.id)).toMatchObject({ groupId, userId: m2.id, role: 'member' });
        expect(await store.getGroupMember(groupId, 'nobody')).toBeNull();
        expect(await store.listUserGroupIds(m1.id)).toEqual([groupId]);
        const conversation = await store.getMemberConversation(m2.id, groupConversationId(groupId));
        expect(conversation).toEqual({
          conversationId: groupConversationId(groupId),
          type: 'group',
          groupId,
          peerId: null,
          peerReadSeq: null,
          lastSeq: 0,
          deliveredSeq: 0,
          readSeq: 0,
          lastMessageAt: null,
          notify: 'all',
          mutedUntil: null,
          pinnedAt: null,
        });
      });

      it('answers many users\' group lists read at once, each its own, in group order (a reconnect storm)', async () => {
        const users = await Promise.all(Array.from({ length: 40 }, () => createUser()));
        const owner = await createUser();
        const groupIds = [nextId('G'), nextId('G'), nextId('G')].sort();
        // User i is in the groups whose index divides i: some in none, some in one, some in all three.
        for (const [g, groupId] of groupIds.entries()) {
          const memberIds = users.filter((_, i) => i % (g + 1) === 0 && i % 5 !== 4).map((u) => u.id);
          await store.createGroup({ id: groupId, name: `G${g}`, ownerId: owner.id, memberIds, createdAt: now() });
        }
        const expected = users.map((_, i) => (i % 5 === 4 ? [] : groupIds.filter((_, g) => i % (g + 1) === 0)));
        const lists = await Promise.all([...users, ...users].map((u) => store.listUserGroupIds(u.id)));
        expect(lists).toEqual([...expected, ...expected]);
        expect(await store.listUserGroupIds(owner.id)).toEqual(groupIds);
        // Their conversation lists (every sync reads one) likewise, read at once as read one by one.
        const oneByOne = [];
        for (const u of users) oneByOne.push(await store.listMemberConversations(u.id));
        expect(oneByOne.map((list) => list.length)).toEqual(expected.map((ids) => ids.length));
        expect(await Promise.all(users.map((u) => store.listMemberConversations(u.id)))).toEqual(oneByOne);
      });

      it('rejects unknown members and leaves nothing behind', async () => {
        const owner = await createUser();
        const groupId = nextId('G');
        await expectRefusal(
          store.createGroup({ id: groupId, name: 'X', ownerId: owner.id, memberIds: ['nobody'], createdAt: 1 }),
          'NOT_FOUND',
          'unknown-group-member',
        );
        expect(await store.getGroup(groupId)).toBeNull();
        expect(await store.listUserGroupIds(owner.id)).toEqual([]);
        expect(await store.listMemberConversations(owner.id)).toEqual([]);
      });

      it('answers null / empty for unknown groups', async () => {
        expect(await store.getGroup('nope')).toBeNull();
        expect(await store.listGroupMembers('nope')).toEqual([]);
      });
    });

    describe('group administration', () => {
      it('reads what a group post needs (mute-all and the poster\'s membership) in one call, also in bursts', async () => {
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
        expect((await store.getMessages(late.id, conversationId, { afterSeq: 0, limit: 10 })).length).toBe(3);
        expect((await store.getGroup(groupId))?.memberCount).toBe(3);
        expect(await store.addGroupMembers(groupId, [early.id], now(), 10)).toEqual([]);
      });

      it('refuses to exceed the member limit, unknown users and unknown groups, adding nobody', async () => {
        const [owner, a, b] = [await createUser(), await createUser(), await createUser()];
        const groupId = await newGroup(owner.id);
        await expectRefusal(store.addGroupMembers(groupId, [a.id, b.id], now(), 2), 'CONFLICT', 'group-full');
        await expectRefusal(store.addGroupMembers(groupId, [a.id, 'nobody'], now(), 10), 'NOT_FOUND', 'user-not-found');
        await expectRefusal(store.addGroupMembers('nope', [a.id], now(), 10), 'NOT_FOUND', 'group-not-found');
        expect((await store.listGroupMembers(groupId)).map((m) => m.userId)).toEqual([owner.id]);
        expect(await store.addGroupMembers(groupId, [a.id], now(), 2)).toEqual([a.id]);
      });

      it('removes a member with their conversation membership', async () => {
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
        const [owner, a, b] = [await createUser(), await createUser(), await createUser()];
        const groupId = await newGroup(owner.id, [a.id, b.id]);
        await store.setGroupMemberRole(groupId, a.id, 'admin');
        expect((await store.getGroupMember(groupId, a.id))?.role).toBe('admin');
        await expectRefusal(store.setGroupMemberRole(groupId, owner.id, 'member'), 'NOT_FOUND', 'not-a-member-or-owner');
        await expectRefusal(store.setGroupMemberRole(groupId, 'nobody', 'admin'), 'NOT_FOUND', 'not-a-member-or-owner');
        await store.transferGroupOwnership(groupId, owner.id, b.id);
        expect((await store.getGroup(groupId))?.ownerId).toBe(b.id);
        expect((await store.getGroupMember(groupId, owner.id))?.role).toBe('admin');
        expect((await store.getGroupMember(groupId, b.id))?.role).toBe('owner');
        // The former owner is no owner any more: nothing changes.
        await expectRefusal(store.transferGroupOwnership(groupId, owner.id, a.id), 'NOT_FOUND', 'not-a-member');
        expect((await store.getGroup(groupId))?.ownerId).toBe(b.id);
        expect((await store.getGroupMember(groupId, a.id))?.role).toBe('admin');
      });

      it('mutes and unmutes members', async () => {
        const [owner, member] = [await createUser(), await createUser()];
        const groupId = await newGroup(owner.id, [member.id]);
        await store.setGroupMemberMute(groupId, member.id, 1_900_000_000_000);
        expect((await store.getGroupMember(groupId, member.id))?.mutedUntil).toBe(1_900_000_000_000);
        await store.setGroupMemberMute(groupId, member.id, null);
        expect((await store.getGroupMember(groupId, member.id))?.mutedUntil).toBeNull();
        await expectRefusal(store.setGroupMemberMute(groupId, 'nobody', 1), 'NOT_FOUND', 'not-a-member');
      });

      it('patches group settings and lists a user\'s groups by name', async () => {
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
        await expectRefusal(store.updateGroup('nope', { name: 'x' }), 'NOT_FOUND', 'group-not-found');
      });

      it('searches public groups by name, case-insensitively, by name then id, paged', async () => {
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
        expect(await store.getMessages(member.id, conversationId, { afterSeq: 0, limit: 10 })).toEqual([]);
        expect(await store.getGroupJoinRequest(request.id)).toBeNull();
      });
    });
  });
}
