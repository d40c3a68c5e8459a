import { groupConversationId, groupRoom, userRoom, type GroupInvitation } from '@parley/protocol';
import { StoreError } from '@parley/domain';
import { at } from '@parley/testing';
import { createSocialWorld, type SocialWorld } from './support/social-world';

/** Consent to group membership: who is added, who is asked, and who may answer; over the real SQLite engine. */
describe('GroupService invitations', () => {
  let w: SocialWorld;
  let groupId: string;

  const invitationEvents = () => w.notifier.published('group:invitation').map((p) => ({ rooms: p.rooms, ...(p.payload as { invitation: GroupInvitation }) }));
  const isMember = async (userId: string) => (await w.store.getGroupMember(groupId, userId)) !== null;
  const pending = async (userId: string) => (await w.groups.pendingInvitations(userId)).invitations;
  const inviteOne = async (actorId: string, userId: string) => w.groups.invite(actorId, { groupId, userIds: [userId] });
  const onlyInvitation = (result: { invitations: GroupInvitation[] }) => at(result.invitations, 0, 'invitation');

  beforeEach(async () => {
    w = await createSocialWorld({ maxMembers: 4, maxPendingInvitationsPerInviter: 2 });
    await w.addUsers('owner', 'friend', 'stranger', 'other', 'extra');
    await w.befriend('owner', 'friend');
    groupId = (await w.groups.create('owner', { name: 'club', memberIds: [] })).group.id;
  });

  afterEach(() => w.close());

  it('asks a stranger instead of adding them: not a member, cannot post, told live, and sees it listed', async () => {
    const result = await inviteOne('owner', 'stranger');
    expect(result).toMatchObject({ added: [], requests: [], group: { memberCount: 1 } });
    const invitation = onlyInvitation(result);
    expect(invitation).toMatchObject({
      group: { id: groupId, name: 'club' },
      inviter: { id: 'owner', displayName: 'OWNER' },
      inviteeId: 'stranger',
      status: 'pending',
    });
    expect(await isMember('stranger')).toBe(false);
    await expect(w.post('stranger', groupId, 'let me in')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(invitationEvents()).toEqual([{ rooms: [userRoom('stranger')], invitation }]);
    expect(w.notifier.events.filter((e) => e.kind === 'join' && e.userIds.includes('stranger'))).toEqual([]);
    expect(await pending('stranger')).toEqual([invitation]);
    expect(await pending('owner')).toEqual([]);
  });

  it('adds a friend directly, unless the friend asks for every invitation', async () => {
    expect(await inviteOne('owner', 'friend')).toMatchObject({ added: ['friend'], invitations: [] });
    await w.groups.leave('friend', { groupId });
    await w.store.updateProfile('friend', { groupInvites: 'ask' });
    const result = await inviteOne('owner', 'friend');
    expect(result.added).toEqual([]);
    expect(onlyInvitation(result)).toMatchObject({ inviteeId: 'friend', status: 'pending' });
    expect(await isMember('friend')).toBe(false);
  });

  it('invites strangers named at creation and adds the friends', async () => {
    const created = await w.groups.create('owner', { name: 'new', memberIds: ['friend', 'stranger'] });
    expect(created.group.memberCount).toBe(2);
    expect(created.invitations.map((i) => [i.group.id, i.inviteeId])).toEqual([[created.group.id, 'stranger']]);
    expect(await w.store.getGroupMember(created.group.id, 'stranger')).toBeNull();
    expect(w.notifier.events.find((e) => e.kind === 'join' && e.room === groupRoom(created.group.id))).toMatchObject({ userIds: ['owner', 'friend'] });
  });

  it('accepts into the group as an invite-add does: room, update, system message; the inviter is told', async () => {
    const invitation = onlyInvitation(await inviteOne('owner', 'stranger'));
    const answer = await w.groups.respondToInvitation('stranger', { invitationId: invitation.id, accept: true });
    expect(answer).toMatchObject({ invitation: { id: invitation.id, status: 'accepted' }, group: { id: groupId, memberCount: 2 } });
    expect(await isMember('stranger')).toBe(true);
    expect(w.notifier.events).toContainEqual({ kind: 'join', userIds: ['stranger'], room: groupRoom(groupId) });
    expect(w.notifier.published('group:update').at(-1)?.payload).toMatchObject({ change: 'joined', actorId: 'owner', userIds: ['stranger'] });
    const messages = await w.store.getMessages('owner', groupConversationId(groupId), { afterSeq: 0, limit: 10 });
    expect(messages.map((m) => m.body.text)).toEqual(['OWNER added STRANGER']);
    expect(invitationEvents().at(-1)).toEqual({ rooms: [userRoom('owner'), userRoom('stranger')], invitation: answer.invitation });
    expect(await pending('stranger')).toEqual([]);
    expect((await w.post('stranger', groupId, 'thanks')).seq).toBe(2);
  });

  it('declines without joining; a second answer is refused', async () => {
    const invitation = onlyInvitation(await inviteOne('owner', 'stranger'));
    const answer = await w.groups.respondToInvitation('stranger', { invitationId: invitation.id, accept: false });
    expect(answer).toEqual({ invitation: { ...invitation, status: 'rejected' } });
    expect(invitationEvents().at(-1)?.rooms).toEqual([userRoom('owner'), userRoom('stranger')]);
    expect(await isMember('stranger')).toBe(false);
    await expect(w.groups.respondToInvitation('stranger', { invitationId: invitation.id, accept: true })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await isMember('stranger')).toBe(false);
  });

  it('lets nobody but the invitee answer, not even the inviter, and reveals nothing to them', async () => {
    const invitation = onlyInvitation(await inviteOne('owner', 'stranger'));
    for (const userId of ['owner', 'other', 'friend']) {
      await expect(w.groups.respondToInvitation(userId, { invitationId: invitation.id, accept: true })).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: 'invitation not found',
      });
    }
    await expect(w.groups.respondToInvitation('other', { invitationId: 'nope', accept: true })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'invitation not found',
    });
    expect(await isMember('stranger')).toBe(false);
    expect(await pending('stranger')).toEqual([invitation]);
    expect(invitationEvents()).toHaveLength(1);
  });

  it('leaves out users across a block with the inviter, either way, without saying so', async () => {
    await w.friends.block('stranger', { userId: 'owner' });
    await w.friends.block('owner', { userId: 'other' });
    const result = await w.groups.invite('owner', { groupId, userIds: ['stranger', 'other', 'extra'] });
    expect(result.added).toEqual([]);
    expect(result.invitations.map((i) => i.inviteeId)).toEqual(['extra']);
    expect(await pending('stranger')).toEqual([]);
    expect(await pending('other')).toEqual([]);
    expect(invitationEvents().map((e) => e.rooms)).toEqual([[userRoom('extra')]]);
  });

  it('answers a repeated invitation with the pending one and tells the invitee once', async () => {
    const first = onlyInvitation(await inviteOne('owner', 'stranger'));
    await w.groups.invite('owner', { groupId, userIds: ['friend'] });
    const again = onlyInvitation(await w.groups.invite('friend', { groupId, userIds: ['stranger'] }));
    expect(again.id).toBe(first.id);
    expect(invitationEvents()).toHaveLength(1);
    expect(await pending('stranger')).toHaveLength(1);
  });

  it('bounds how many invitations one inviter can keep pending for a user, until they answer', async () => {
    const groups = [groupId];
    for (const name of ['b', 'c']) groups.push((await w.groups.create('owner', { name, memberIds: [] })).group.id);
    const invited = [];
    for (const id of groups) invited.push((await w.groups.invite('owner', { groupId: id, userIds: ['stranger'] })).invitations);
    expect(invited.map((list) => list.length)).toEqual([1, 1, 0]);
    expect(await pending('stranger')).toHaveLength(2);
    await w.groups.respondToInvitation('stranger', { invitationId: at(at(invited, 0, 'first'), 0, 'invitation').id, accept: false });
    expect((await w.groups.invite('owner', { groupId: at(groups, 2, 'third'), userIds: ['stranger'] })).invitations).toHaveLength(1);
  });

  it('still answers a created group when asking one invitee fails, so a retry makes no second group', async () => {
    const create = w.store.createGroupInvitation.bind(w.store);
    jest.spyOn(w.store, 'createGroupInvitation').mockImplementation(async (invitation, limits) => {
      if (invitation.inviteeId === 'stranger') throw new StoreError('unavailable');
      return create(invitation, limits);
    });
    const created = await w.groups.create('owner', { name: 'new', memberIds: ['friend', 'stranger', 'other'] });
    expect(created.group.memberCount).toBe(2);
    expect(created.invitations.map((i) => i.inviteeId)).toEqual(['other']);
    expect(invitationEvents().map((e) => e.rooms)).toEqual([[userRoom('other')]]);
    const invited = await w.groups.invite('owner', { groupId, userIds: ['stranger', 'extra'] });
    expect(invited.invitations.map((i) => i.inviteeId)).toEqual(['extra']);
    // Nothing else fails quietly: a refused group is still an error.
    await expect(w.groups.invite('owner', { groupId: 'nope', userIds: ['other'] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('withdraws the invitations of an inviter who leaves or is kicked, telling the invitee', async () => {
    await w.groups.invite('owner', { groupId, userIds: ['friend'] });
    await w.befriend('friend', 'extra');
    await w.store.updateProfile('extra', { groupInvites: 'ask' });
    const invitation = onlyInvitation(await w.groups.invite('friend', { groupId, userIds: ['extra'] }));
    await w.groups.leave('friend', { groupId });
    expect(invitationEvents().at(-1)).toEqual({ rooms: [userRoom('extra')], invitation: { ...invitation, status: 'cancelled', group: expect.objectContaining({ memberCount: 1 }) } });
    expect(await pending('extra')).toEqual([]);
    await expect(w.groups.respondToInvitation('extra', { invitationId: invitation.id, accept: true })).rejects.toMatchObject({ code: 'CONFLICT' });
    // Back in the group, the withdrawn invitation stays withdrawn.
    await w.groups.invite('owner', { groupId, userIds: ['friend'] });
    expect(await pending('extra')).toEqual([]);

    const again = onlyInvitation(await w.groups.invite('friend', { groupId, userIds: ['extra'] }));
    await w.admin.kick('owner', { groupId, userId: 'friend' });
    expect(invitationEvents().at(-1)?.invitation).toMatchObject({ id: again.id, status: 'cancelled' });
    await expect(w.groups.respondToInvitation('extra', { invitationId: again.id, accept: true })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await isMember('extra')).toBe(false);
  });

  it('withdraws invitations quietly when a block comes between invitee and inviter, and unblocking does not bring them back', async () => {
    const invitation = onlyInvitation(await inviteOne('owner', 'stranger'));
    const pushes = invitationEvents().length;
    await w.friends.block('stranger', { userId: 'owner' });
    await w.friends.unblock('stranger', { userId: 'owner' });
    expect(await pending('stranger')).toEqual([]);
    await expect(w.groups.respondToInvitation('stranger', { invitationId: invitation.id, accept: true })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(invitationEvents()).toHaveLength(pushes);
    expect(await isMember('stranger')).toBe(false);
  });

  it('ends invitations with their group, and keeps one pending while the group is full', async () => {
    const invitation = onlyInvitation(await inviteOne('owner', 'stranger'));
    await w.store.addGroupMembers(groupId, ['friend', 'other', 'extra'], w.clock.now(), 4);
    await expect(w.groups.respondToInvitation('stranger', { invitationId: invitation.id, accept: true })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await pending('stranger')).map((i) => [i.id, i.status, i.group.memberCount])).toEqual([[invitation.id, 'pending', 4]]);
    await w.admin.dissolve('owner', { groupId });
    expect(await pending('stranger')).toEqual([]);
    await expect(w.groups.respondToInvitation('stranger', { invitationId: invitation.id, accept: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
