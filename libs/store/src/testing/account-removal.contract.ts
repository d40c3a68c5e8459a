import type { Store } from '@parley/domain';
import { groupConversationId } from '@parley/protocol';
import type { StoreContractContext } from './contract-context';

/** UserStore.deleteUser: everything of the account goes in one transaction, its row stays for its messages. */
export function describeAccountRemovalContract(ctx: StoreContractContext): void {
  const { createUser, expectRefusal, friendRequest, newGroup, nextId, now } = ctx;

  describe('UserStore.deleteUser', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store();
    });

    const befriend = async (a: string, b: string): Promise<void> => {
      const request = await friendRequest(a, b);
      await store.resolveFriendRequest(request.id, 'accepted', now());
    };
    const session = async (userId: string): Promise<string> => {
      const id = nextId('S');
      const passwordHash = (await store.getUser(userId))?.passwordHash ?? '';
      await store.createAuthSession({ id, userId, refreshHash: nextId('h'), createdAt: now(), expiresAt: now() + 86_400_000, userAgent: null, passwordHash });
      return id;
    };

    it('frees the username, hides the user from login and search, and keeps the row for their messages', async () => {
      const user = await createUser('leaving_user', 'Leaving Person');
      await store.updateProfile(user.id, { bio: 'about me', avatarUrl: 'https://a.example/me.png', dmPolicy: 'anyone' });
      const friend = await createUser();
      const sent = await store.appendMessage(ctx.directMessage(user.id, friend.id));
      const at = now();
      await store.deleteUser(user.id, at);

      expect(await store.findUserByUsername('leaving_user')).toBeNull();
      expect(await store.searchUsers('leaving', 10, 0)).toEqual([]);
      expect(await store.searchUsers('Deleted user', 10, 0)).toEqual([]);
      const kept = await store.getUser(user.id);
      expect(kept).toMatchObject({ id: user.id, displayName: 'Deleted user', avatarUrl: null, bio: null, dmPolicy: 'friends', deletedAt: at });
      expect(kept?.username).not.toBe('leaving_user');
      expect(kept?.passwordHash).toBe('');
      const [history] = await store.getMessagesAfter(user.id, [{ conversationId: sent.message.conversationId, afterSeq: 0 }], 10);
      expect(history?.map((m) => m.senderId)).toEqual([user.id]);
      // The name is free again, whatever its case.
      const again = await createUser('Leaving_User');
      expect(await store.findUserByUsername('leaving_user')).toEqual(again);
    });

    it('removes friendships, friend requests and blocks both ways, and pending join requests', async () => {
      const user = await createUser();
      const [friend, asker, asked, blocker, blocked] = await Promise.all([createUser(), createUser(), createUser(), createUser(), createUser()]);
      await befriend(user.id, friend.id);
      const incoming = await friendRequest(asker.id, user.id);
      const outgoing = await friendRequest(user.id, asked.id);
      await store.addBlock(blocker.id, user.id, now());
      await store.addBlock(user.id, blocked.id, now());
      const groupId = await newGroup(friend.id);
      const join = await store.createGroupJoinRequest({ id: nextId('JR'), groupId, userId: user.id, inviterId: null, createdAt: now() });

      const deleted = await store.deleteUser(user.id, now());
      expect(deleted.formerFriendIds).toEqual([friend.id]);
      expect(await store.listFriendIds(friend.id)).toEqual([]);
      expect(await store.getFriendRequest(incoming.id)).toBeNull();
      expect(await store.getFriendRequest(outgoing.id)).toBeNull();
      expect(await store.listBlockedIds(blocker.id)).toEqual([]);
      expect(await store.listBlockedIds(user.id)).toEqual([]);
      expect(await store.getGroupJoinRequest(join.request.id)).toBeNull();
    });

    it('cancels the pending group invitations to and from the user, and answers them', async () => {
      const user = await createUser();
      const [owner, guest] = [await createUser(), await createUser()];
      const invite = (groupId: string, inviterId: string, inviteeId: string) =>
        store.createGroupInvitation({ id: nextId('GI'), groupId, inviterId, inviteeId, createdAt: now() }, { perInvitee: 10, perInviter: 10 });
      const byId = <T extends { id: string }>(list: T[]): T[] => [...list].sort((a, b) => a.id.localeCompare(b.id));
      const theirs = await newGroup(owner.id, [user.id]);
      const other = await newGroup(owner.id);
      const toUser = await invite(other, owner.id, user.id);
      const fromUser = await invite(theirs, user.id, guest.id);
      const unrelated = await invite(other, owner.id, guest.id);
      const at = now();

      const deleted = await store.deleteUser(user.id, at);
      const cancelled = [toUser.invitation, fromUser.invitation].map((i) => ({ ...i, status: 'cancelled', updatedAt: at }));
      expect(byId(deleted.cancelledInvitations)).toEqual(byId(cancelled));
      expect(await store.getGroupInvitation(fromUser.invitation.id)).toEqual({ ...fromUser.invitation, status: 'cancelled', updatedAt: at });
      expect(await store.getGroupInvitation(toUser.invitation.id)).toMatchObject({ status: 'cancelled' });
      expect(await store.listPendingGroupInvitations(guest.id, 10)).toEqual([unrelated.invitation]);
    });

    it("leaves every group: an owner's group passes to the longest-standing admin, else member, or is dissolved", async () => {
      const user = await createUser();
      const [early, late, admin, owner] = await Promise.all([createUser(), createUser(), createUser(), createUser()]);
      const joined = now();
      const withAdmin = await newGroup(user.id);
      await store.addGroupMembers(withAdmin, [early.id], joined, 100);
      await store.addGroupMembers(withAdmin, [admin.id], joined + 1, 100);
      await store.setGroupMemberRole(withAdmin, admin.id, 'admin');
      const membersOnly = await newGroup(user.id);
      await store.addGroupMembers(membersOnly, [early.id], joined, 100);
      await store.addGroupMembers(membersOnly, [late.id], joined + 1, 100);
      const alone = await newGroup(user.id);
      const elsewhere = await newGroup(owner.id, [user.id]);

      const deleted = await store.deleteUser(user.id, now());
      expect([...deleted.groups].sort((a, b) => a.groupId.localeCompare(b.groupId))).toEqual(
        [
          { groupId: withAdmin, outcome: 'transferred', newOwnerId: admin.id },
          { groupId: membersOnly, outcome: 'transferred', newOwnerId: early.id },
          { groupId: alone, outcome: 'dissolved' },
          { groupId: elsewhere, outcome: 'left' },
        ].sort((a, b) => a.groupId.localeCompare(b.groupId)),
      );
      expect(await store.getGroup(withAdmin)).toMatchObject({ ownerId: admin.id, memberCount: 2 });
      expect(await store.getGroupMember(withAdmin, admin.id)).toMatchObject({ role: 'owner' });
      expect(await store.getGroup(membersOnly)).toMatchObject({ ownerId: early.id });
      expect(await store.getGroupMember(membersOnly, early.id)).toMatchObject({ role: 'owner' });
      expect(await store.getGroup(alone)).toBeNull();
      expect(await store.getGroupMember(elsewhere, user.id)).toBeNull();
      expect(await store.listUserGroupIds(user.id)).toEqual([]);
      expect(await store.getMemberConversation(user.id, groupConversationId(elsewhere))).toBeNull();
    });

    it('revokes every active session and answers their ids', async () => {
      const user = await createUser();
      const [a, b] = [await session(user.id), await session(user.id)];
      const ended = await session(user.id);
      await store.revokeAuthSession(ended, 'logout', now());
      const deleted = await store.deleteUser(user.id, now());
      expect([...deleted.sessionIds].sort()).toEqual([a, b].sort());
      expect(await store.getAuthSession(a)).toMatchObject({ revokeReason: 'account-deleted' });
      expect(await store.getAuthSession(ended)).toMatchObject({ revokeReason: 'logout' });
    });

    it('refuses an unknown or already deleted user, and a password change of a deleted one', async () => {
      const user = await createUser();
      await store.changePasswordHash(user.id, 'new-hash', 'S-none', now());
      expect((await store.getUser(user.id))?.passwordHash).toBe('new-hash');
      await store.deleteUser(user.id, now());
      await expectRefusal(store.deleteUser(user.id, now()), 'NOT_FOUND', 'user-not-found');
      await expectRefusal(store.deleteUser('nobody', now()), 'NOT_FOUND', 'user-not-found');
      await expectRefusal(store.changePasswordHash(user.id, 'again', 'S-none', now()), 'NOT_FOUND', 'user-not-found');
      await expectRefusal(store.changePasswordHash('nobody', 'x', 'S-none', now()), 'NOT_FOUND', 'user-not-found');
      expect((await store.getUser(user.id))?.passwordHash).toBe('');
    });

    it('lets only one of two racing deletions of one account do it', async () => {
      const user = await createUser();
      const outcomes = await Promise.allSettled([store.deleteUser(user.id, now()), store.deleteUser(user.id, now())]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    });
  });
}
