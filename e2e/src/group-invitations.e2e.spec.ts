import { at, startCluster, type Cluster } from '@parley/testing';
import { groupConversationId, type ErrorCode, type GroupInvitation } from '@parley/protocol';
import { TestUser, befriend, uniqueName } from './support/test-user';

jest.setTimeout(60_000);

/**
 * Consent to group membership over two IM nodes on MySQL and Redis: the
 * inviter sits on node 0, the invitee on node 1, so every push crosses the
 * relay. Each attempt to put someone in a group without their consent must
 * fail, with the honest path beside it.
 */
describe('group invitations across two IM nodes', () => {
  let cluster: Cluster;
  const users: TestUser[] = [];
  const user = async (prefix: string, node: 0 | 1): Promise<TestUser> => {
    const u = await TestUser.register(cluster.gatewayUrl, prefix);
    users.push(u);
    await u.connect(at(cluster.nodes, node, 'IM node').url);
    return u;
  };
  const refused = (code: ErrorCode) => ({ ok: false, error: expect.objectContaining({ code }) });
  const post = (from: TestUser, groupId: string, text: string) =>
    from.command('message:send', { to: { type: 'group', id: groupId }, clientMsgId: uniqueName('c'), kind: 'text', body: { text } });
  const newGroup = async (owner: TestUser, name: string) => (await owner.ok('group:create', { name: uniqueName(name) })).group;
  const onlyInvitation = (result: { invitations: GroupInvitation[] }): GroupInvitation => {
    expect(result.invitations).toHaveLength(1);
    return at(result.invitations, 0, 'invitation');
  };
  /** The user is not in the group by every door: info, history, sync and the group list. */
  const expectOutside = async (u: TestUser, groupId: string) => {
    expect(await u.command('group:info', { groupId })).toEqual(refused('FORBIDDEN'));
    expect(await u.command('history:fetch', { conversationId: groupConversationId(groupId) })).toEqual(refused('NOT_FOUND'));
    expect((await u.ok('sync', {})).conversations.map((c) => c.conversationId)).not.toContain(groupConversationId(groupId));
    expect((await u.ok('group:list', {})).groups.map((g) => g.id)).not.toContain(groupId);
  };

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, name: 'group-invitations-e2e' });
  }, 90_000);

  afterEach(() => {
    for (const u of users.splice(0)) u.disconnect();
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('asks a stranger instead of adding them: outside the group, told live on the other node, and listed', async () => {
    const owner = await user('inv-own', 0);
    const target = await user('inv-tgt', 1);
    const group = await newGroup(owner, 'strangers');

    const result = await owner.ok('group:invite', { groupId: group.id, userIds: [target.id] });
    expect(result).toMatchObject({ added: [], requests: [], group: { memberCount: 1 } });
    const invitation = onlyInvitation(result);
    expect(invitation).toMatchObject({ group: { id: group.id }, inviter: { id: owner.id }, inviteeId: target.id, status: 'pending' });

    expect(await target.waitForEvent('group:invitation', (p) => p.invitation.id === invitation.id)).toEqual({ invitation });
    expect(await target.ok('group:invitations', {})).toEqual({ ok: true, invitations: [invitation] });
    expect((await owner.ok('group:invitations', {})).invitations).toEqual([]);

    // Not a member, so the group cannot reach them and they cannot reach it.
    const unseen = await owner.sendText({ type: 'group', id: group.id }, 'not for strangers');
    expect(await post(target, group.id, 'let me in')).toEqual(refused('FORBIDDEN'));
    await expectOutside(target, group.id);

    // Declining keeps them out; the inviter is told live.
    const declined = await target.ok('group:invitation:respond', { invitationId: invitation.id, accept: false });
    expect(declined).toEqual({ ok: true, invitation: { ...invitation, status: 'rejected' } });
    expect(await owner.waitForEvent('group:invitation', (p) => p.invitation.status === 'rejected')).toEqual({ invitation: declined.invitation });
    expect(await target.command('group:invitation:respond', { invitationId: invitation.id, accept: true })).toEqual(refused('CONFLICT'));
    await expectOutside(target, group.id);
    expect((await target.ok('group:invitations', {})).invitations).toEqual([]);
    expect(target.received.filter((m) => m.id === unseen.id)).toEqual([]);
  });

  it('joins on accepting, as an invite-add does, and gets the group\'s next message live', async () => {
    const owner = await user('acc-own', 0);
    const target = await user('acc-tgt', 1);
    const group = await newGroup(owner, 'accepting');
    const invitation = onlyInvitation(await owner.ok('group:invite', { groupId: group.id, userIds: [target.id] }));
    await target.waitForEvent('group:invitation', (p) => p.invitation.id === invitation.id);

    const accepted = await target.ok('group:invitation:respond', { invitationId: invitation.id, accept: true });
    expect(accepted).toMatchObject({ invitation: { id: invitation.id, status: 'accepted' }, group: { id: group.id, memberCount: 2 } });
    expect(await owner.waitForEvent('group:invitation', (p) => p.invitation.status === 'accepted')).toEqual({ invitation: accepted.invitation });
    expect(await owner.waitForEvent('group:update', (p) => p.change === 'joined')).toMatchObject({ actorId: owner.id, userIds: [target.id] });
    const joinLine = await target.waitForMessage((m) => m.kind === 'system');
    expect(joinLine.body.system).toEqual({ event: 'joined', actorId: owner.id, userIds: [target.id] });

    const hello = await owner.sendText({ type: 'group', id: group.id }, 'welcome');
    expect(await target.waitForMessages(1, (m) => m.id === hello.id)).toHaveLength(1);
    expect((await post(target, group.id, 'thanks')).ok).toBe(true);
    expect((await target.ok('group:invitations', {})).invitations).toEqual([]);
  });

  it('adds a friend directly, unless the friend asks for every invitation', async () => {
    const owner = await user('fr-own', 0);
    const friend = await user('fr-friend', 1);
    await befriend(owner, friend);
    const first = await newGroup(owner, 'friends');
    expect(await owner.ok('group:invite', { groupId: first.id, userIds: [friend.id] })).toMatchObject({ added: [friend.id], invitations: [] });
    await friend.waitForEvent('group:update', (p) => p.change === 'joined' && p.group.id === first.id);

    expect(await friend.ok('settings:update', { groupInvites: 'ask' })).toEqual({ ok: true, settings: { dmPolicy: 'friends', groupInvites: 'ask', previews: false, dnd: null } });
    const second = await newGroup(owner, 'asking');
    const result = await owner.ok('group:invite', { groupId: second.id, userIds: [friend.id] });
    expect(result.added).toEqual([]);
    const invitation = onlyInvitation(result);
    await friend.waitForEvent('group:invitation', (p) => p.invitation.id === invitation.id);
    await expectOutside(friend, second.id);
  });

  it('lets nobody but the invitee answer, the inviter included, and changes nothing', async () => {
    const owner = await user('oth-own', 0);
    const target = await user('oth-tgt', 1);
    const meddler = await user('oth-med', 0);
    const group = await newGroup(owner, 'meddled');
    const invitation = onlyInvitation(await owner.ok('group:invite', { groupId: group.id, userIds: [target.id] }));

    for (const someone of [meddler, owner]) {
      for (const accept of [true, false]) {
        expect(await someone.command('group:invitation:respond', { invitationId: invitation.id, accept })).toEqual(refused('NOT_FOUND'));
      }
    }
    expect(await meddler.command('group:invitation:respond', { invitationId: 'no-such-invitation', accept: true })).toEqual(refused('NOT_FOUND'));
    await expectOutside(meddler, group.id);
    await expectOutside(target, group.id);
    expect((await target.ok('group:invitations', {})).invitations.map((i) => [i.id, i.status])).toEqual([[invitation.id, 'pending']]);
  });

  it('neither adds nor invites a user who blocked the inviter, and does not say why', async () => {
    const owner = await user('blk-own', 0);
    const shy = await user('blk-shy', 1);
    const other = await user('blk-oth', 0);
    await shy.ok('user:block', { userId: owner.id });

    const group = await newGroup(owner, 'blocked');
    expect(await owner.ok('group:invite', { groupId: group.id, userIds: [shy.id] })).toMatchObject({ added: [], requests: [], invitations: [] });
    const created = await owner.ok('group:create', { name: uniqueName('blocked'), memberIds: [shy.id] });
    expect(created).toMatchObject({ group: { memberCount: 1 }, invitations: [] });
    await expectOutside(shy, group.id);
    await expectOutside(shy, created.group.id);

    // Someone else's invitation still reaches them, and it is the only one they ever got.
    const honest = onlyInvitation(await other.ok('group:invite', { groupId: (await newGroup(other, 'honest')).id, userIds: [shy.id] }));
    await shy.waitForEvent('group:invitation', (p) => p.invitation.id === honest.id);
    expect(shy.eventsOf('group:invitation').map((p) => p.invitation.id)).toEqual([honest.id]);
    expect((await shy.ok('group:invitations', {})).invitations.map((i) => i.id)).toEqual([honest.id]);
  });

  it('invites the strangers named at group:create and adds the friends', async () => {
    const owner = await user('cr-own', 0);
    const friend = await user('cr-friend', 0);
    const stranger = await user('cr-str', 1);
    await befriend(owner, friend);

    const created = await owner.ok('group:create', { name: uniqueName('mixed'), memberIds: [friend.id, stranger.id] });
    expect(created.group.memberCount).toBe(2);
    const invitation = onlyInvitation(created);
    expect(invitation).toMatchObject({ group: { id: created.group.id }, inviteeId: stranger.id });
    await friend.waitForEvent('group:update', (p) => p.change === 'created' && p.group.id === created.group.id);
    await stranger.waitForEvent('group:invitation', (p) => p.invitation.id === invitation.id);
    await expectOutside(stranger, created.group.id);
  });

  it('withdraws the invitations of a member who leaves, telling the invitee on the other node', async () => {
    const owner = await user('wd-own', 0);
    const member = await user('wd-mem', 0);
    const target = await user('wd-tgt', 1);
    await befriend(owner, member);
    const group = (await owner.ok('group:create', { name: uniqueName('withdrawn'), memberIds: [member.id] })).group;
    const invitation = onlyInvitation(await member.ok('group:invite', { groupId: group.id, userIds: [target.id] }));
    await target.waitForEvent('group:invitation', (p) => p.invitation.id === invitation.id);

    await member.ok('group:leave', { groupId: group.id });
    expect(await target.waitForEvent('group:invitation', (p) => p.invitation.status === 'cancelled')).toMatchObject({ invitation: { id: invitation.id } });
    expect((await target.ok('group:invitations', {})).invitations).toEqual([]);
    expect(await target.command('group:invitation:respond', { invitationId: invitation.id, accept: true })).toEqual(refused('CONFLICT'));
    await expectOutside(target, group.id);
  });

  it('answers a repeated invitation with the pending one, pushed once', async () => {
    const owner = await user('rep-own', 0);
    const target = await user('rep-tgt', 1);
    const group = await newGroup(owner, 'repeat');
    const first = onlyInvitation(await owner.ok('group:invite', { groupId: group.id, userIds: [target.id] }));
    const results = await Promise.all(
      Array.from({ length: 5 }, () => owner.ok('group:invite', { groupId: group.id, userIds: [target.id] })),
    );
    expect(results.map((r) => onlyInvitation(r).id)).toEqual(Array(5).fill(first.id));
    // The pushes are in order on one stream: a later invitation's push arrives after any repeat would have.
    const later = onlyInvitation(await owner.ok('group:invite', { groupId: (await newGroup(owner, 'later')).id, userIds: [target.id] }));
    await target.waitForEvent('group:invitation', (p) => p.invitation.id === later.id);
    expect(target.eventsOf('group:invitation').map((p) => p.invitation.id)).toEqual([first.id, later.id]);
  });
});
