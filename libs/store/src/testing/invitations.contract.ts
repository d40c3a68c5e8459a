import type { InvitationLimits, NewGroupInvitation, Store } from '@parley/domain';
import type { StoreContractContext } from './contract-context';

const LIMITS: InvitationLimits = { perInvitee: 100, perInviter: 100 };

/** InvitationStore: group invitations, their liveness, limits and the accept that adds a member. */
export function describeInvitationStoreContract(ctx: StoreContractContext): void {
  const { createUser, nextId, now, newGroup, expectRefusal } = ctx;

  describe('InvitationStore', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store();
    });

    const invitation = (groupId: string, inviterId: string, inviteeId: string): NewGroupInvitation => ({
      id: nextId('GI'),
      groupId,
      inviterId,
      inviteeId,
      createdAt: now(),
    });
    const invite = (groupId: string, inviterId: string, inviteeId: string, limits = LIMITS) =>
      store.createGroupInvitation(invitation(groupId, inviterId, inviteeId), limits);
    const memberIds = async (groupId: string) => (await store.listGroupMembers(groupId)).map((m) => m.userId);

    it('keeps one pending invitation per group and invitee, and lists the invitee\'s newest first', async () => {
      const [owner, guest] = [await createUser(), await createUser()];
      const [g1, g2] = [await newGroup(owner.id), await newGroup(owner.id)];
      const first = await invite(g1, owner.id, guest.id);
      expect(first).toMatchObject({ created: true, invitation: { groupId: g1, inviterId: owner.id, inviteeId: guest.id, status: 'pending' } });
      expect(await invite(g1, owner.id, guest.id)).toEqual({ created: false, invitation: first.invitation });
      const second = await invite(g2, owner.id, guest.id);
      expect(await store.getGroupInvitation(first.invitation.id)).toEqual(first.invitation);
      expect(await store.getGroupInvitation('nope')).toBeNull();
      expect(await store.listPendingGroupInvitations(guest.id, 10)).toEqual([second.invitation, first.invitation]);
      expect(await store.listPendingGroupInvitations(guest.id, 1)).toEqual([second.invitation]);
      expect(await store.listPendingGroupInvitations(owner.id, 10)).toEqual([]);
      expect(await memberIds(g1)).toEqual([owner.id]);
    });

    it('refuses unknown groups and users', async () => {
      const owner = await createUser();
      const groupId = await newGroup(owner.id);
      await expectRefusal(invite('nope', owner.id, owner.id), 'NOT_FOUND', 'group-not-found');
      await expectRefusal(invite(groupId, owner.id, 'nobody'), 'NOT_FOUND', 'user-not-found');
    });

    it('accepts into membership once, atomically, and a second answer is refused', async () => {
      const [owner, guest] = [await createUser(), await createUser()];
      const groupId = await newGroup(owner.id);
      const { invitation: pending } = await invite(groupId, owner.id, guest.id);
      const at = now();
      const accepted = await store.acceptGroupInvitation(pending.id, at, 10);
      expect(accepted).toEqual({ joined: true, invitation: { ...pending, status: 'accepted', updatedAt: at } });
      expect(await memberIds(groupId)).toEqual([owner.id, guest.id]);
      expect(await store.getGroupInvitation(pending.id)).toMatchObject({ status: 'accepted' });
      await expectRefusal(store.acceptGroupInvitation(pending.id, now(), 10), 'CONFLICT', 'request-resolved');
      await expectRefusal(store.declineGroupInvitation(pending.id, now()), 'CONFLICT', 'request-resolved');
      await expectRefusal(store.acceptGroupInvitation('nope', now(), 10), 'NOT_FOUND', 'request-not-found');
      expect(await store.listPendingGroupInvitations(guest.id, 10)).toEqual([]);
    });

    it('declines without adding, and frees the pair for a new invitation', async () => {
      const [owner, guest] = [await createUser(), await createUser()];
      const groupId = await newGroup(owner.id);
      const { invitation: pending } = await invite(groupId, owner.id, guest.id);
      expect(await store.declineGroupInvitation(pending.id, now())).toMatchObject({ id: pending.id, status: 'rejected' });
      await expectRefusal(store.declineGroupInvitation('nope', now()), 'NOT_FOUND', 'request-not-found');
      expect(await memberIds(groupId)).toEqual([owner.id]);
      expect((await invite(groupId, owner.id, guest.id)).created).toBe(true);
    });

    it('accepts a member already in the group without adding them twice', async () => {
      const [owner, guest] = [await createUser(), await createUser()];
      const groupId = await newGroup(owner.id);
      const { invitation: pending } = await invite(groupId, owner.id, guest.id);
      await store.addGroupMembers(groupId, [guest.id], now(), 10);
      expect(await store.acceptGroupInvitation(pending.id, now(), 10)).toMatchObject({ joined: false, invitation: { status: 'accepted' } });
      expect(await memberIds(groupId)).toEqual([owner.id, guest.id]);
    });

    it('leaves the invitation pending when the group is full', async () => {
      const [owner, member, guest] = [await createUser(), await createUser(), await createUser()];
      const groupId = await newGroup(owner.id, [member.id]);
      const { invitation: pending } = await invite(groupId, owner.id, guest.id);
      await expectRefusal(store.acceptGroupInvitation(pending.id, now(), 2), 'CONFLICT', 'group-full');
      expect(await store.getGroupInvitation(pending.id)).toEqual(pending);
      expect(await memberIds(groupId)).toEqual([owner.id, member.id]);
      expect((await store.acceptGroupInvitation(pending.id, now(), 3)).joined).toBe(true);
    });

    it('deletes a dissolved group\'s invitations', async () => {
      const [owner, guest] = [await createUser(), await createUser()];
      const groupId = await newGroup(owner.id);
      const { invitation: pending } = await invite(groupId, owner.id, guest.id);
      expect(await store.deleteGroup(groupId)).toBe(true);
      await expectRefusal(store.acceptGroupInvitation(pending.id, now(), 10), 'NOT_FOUND', 'request-not-found');
      expect(await store.listPendingGroupInvitations(guest.id, 10)).toEqual([]);
    });

    it('withdraws an invitation whose inviter left the group, and lets another member invite afresh', async () => {
      const [owner, member, guest] = [await createUser(), await createUser(), await createUser()];
      const groupId = await newGroup(owner.id, [member.id]);
      const { invitation: stale } = await invite(groupId, member.id, guest.id);
      await store.removeGroupMember(groupId, member.id);
      expect(await store.listPendingGroupInvitations(guest.id, 10)).toEqual([]);
      expect(await store.acceptGroupInvitation(stale.id, now(), 10)).toMatchObject({ joined: false, invitation: { status: 'cancelled' } });
      expect(await memberIds(groupId)).toEqual([owner.id]);

      const { invitation: other } = await invite(groupId, owner.id, guest.id);
      await store.addGroupMembers(groupId, [member.id], now(), 10);
      const { invitation: again } = await invite(groupId, member.id, guest.id);
      await store.removeGroupMember(groupId, owner.id);
      // The pending one of the departed owner is replaced by the member's own.
      const fresh = await invite(groupId, member.id, guest.id);
      expect(again).toEqual(other);
      expect(fresh.created).toBe(true);
      expect(await store.getGroupInvitation(other.id)).toMatchObject({ status: 'cancelled' });
      expect(await store.listPendingGroupInvitations(guest.id, 10)).toEqual([fresh.invitation]);
    });

    it('hides and withdraws invitations across a block, either way', async () => {
      const [owner, guest, other] = [await createUser(), await createUser(), await createUser()];
      const groupId = await newGroup(owner.id);
      const { invitation: pending } = await invite(groupId, owner.id, guest.id);
      const { invitation: toOther } = await invite(groupId, owner.id, other.id);
      await store.addBlock(guest.id, owner.id, now());
      await store.addBlock(owner.id, other.id, now());
      expect(await store.listPendingGroupInvitations(guest.id, 10)).toEqual([]);
      expect(await store.listPendingGroupInvitations(other.id, 10)).toEqual([]);
      expect(await store.acceptGroupInvitation(pending.id, now(), 10)).toMatchObject({ joined: false, invitation: { status: 'cancelled' } });
      expect(await store.acceptGroupInvitation(toOther.id, now(), 10)).toMatchObject({ joined: false, invitation: { status: 'cancelled' } });
      expect(await memberIds(groupId)).toEqual([owner.id]);
    });

    it('withdraws the pending invitations of one inviter into one group, and those between two users', async () => {
      const [owner, member, guest, other] = [await createUser(), await createUser(), await createUser(), await createUser()];
      const groupId = await newGroup(owner.id, [member.id]);
      const elsewhere = await newGroup(member.id);
      const { invitation: byMember } = await invite(groupId, member.id, guest.id);
      const { invitation: byOwner } = await invite(groupId, owner.id, other.id);
      const { invitation: memberElsewhere } = await invite(elsewhere, member.id, other.id);
      const at = now();
      expect(await store.withdrawGroupInvitationsBy(groupId, member.id, at)).toEqual([{ ...byMember, status: 'cancelled', updatedAt: at }]);
      expect(await store.withdrawGroupInvitationsBy(groupId, member.id, now())).toEqual([]);
      expect(await store.getGroupInvitation(byOwner.id)).toEqual(byOwner);
      expect(await store.getGroupInvitation(memberElsewhere.id)).toEqual(memberElsewhere);
      await expectRefusal(store.acceptGroupInvitation(byMember.id, now(), 10), 'CONFLICT', 'request-resolved');

      expect((await store.withdrawGroupInvitationsBetween(other.id, member.id, now())).map((i) => [i.id, i.status])).toEqual([
        [memberElsewhere.id, 'cancelled'],
      ]);
      expect(await store.getGroupInvitation(byOwner.id)).toEqual(byOwner);
      expect(await store.withdrawGroupInvitationsBetween(other.id, member.id, now())).toEqual([]);
    });

    it('bounds the live pending invitations of one invitee, in all and from one inviter', async () => {
      const [owner, second, guest] = [await createUser(), await createUser(), await createUser()];
      const groups = [await newGroup(owner.id), await newGroup(owner.id), await newGroup(second.id), await newGroup(second.id)];
      const limits = { perInvitee: 3, perInviter: 2 };
      const [g0, g1, g2, g3] = groups as [string, string, string, string];
      await invite(g0, owner.id, guest.id, limits);
      const { invitation: declined } = await invite(g1, owner.id, guest.id, limits);
      const g4 = await newGroup(owner.id);
      await expectRefusal(invite(g4, owner.id, guest.id, limits), 'CONFLICT', 'too-many-invitations');
      await invite(g2, second.id, guest.id, limits);
      await expectRefusal(invite(g3, second.id, guest.id, limits), 'CONFLICT', 'too-many-invitations');
      // Answering one frees a place; a repeat of a pending one is no new invitation.
      await store.declineGroupInvitation(declined.id, now());
      expect((await invite(g0, owner.id, guest.id, limits)).created).toBe(false);
      expect((await invite(g3, second.id, guest.id, limits)).created).toBe(true);
      expect(await store.listPendingGroupInvitations(guest.id, 10)).toHaveLength(3);
    });

    it('keeps one invitation for parallel invites of the same pair, and every call answers it', async () => {
      const [owner, guest] = [await createUser(), await createUser()];
      const groupId = await newGroup(owner.id);
      const results = await Promise.all(Array.from({ length: 10 }, () => invite(groupId, owner.id, guest.id)));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const pending = await store.listPendingGroupInvitations(guest.id, 10);
      expect(pending).toHaveLength(1);
      for (const result of results) expect(result.invitation.id).toBe(pending[0]?.id);
    });

    it('holds the limits against parallel invites from one inviter', async () => {
      const [owner, guest] = [await createUser(), await createUser()];
      const groups = await Promise.all(Array.from({ length: 8 }, () => newGroup(owner.id)));
      const limits = { perInvitee: 100, perInviter: 3 };
      const results = await Promise.allSettled(groups.map((g) => invite(g, owner.id, guest.id, limits)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ reason: 'too-many-invitations' });
      expect(await store.listPendingGroupInvitations(guest.id, 10)).toHaveLength(3);
    });
  });
}
