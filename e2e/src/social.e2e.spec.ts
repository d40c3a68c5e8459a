import { at, startCluster, type Cluster } from '@parley/testing';
import { groupConversationId, type ErrorCode } from '@parley/protocol';
import { TestUser, befriend, uniqueName } from './support/test-user';

jest.setTimeout(60_000);

/** The social layer over two IM nodes: every user pair below sits on different nodes unless said otherwise. */
describe('friends, blocks and groups across two IM nodes', () => {
  let cluster: Cluster;
  const users: TestUser[] = [];
  const user = async (prefix: string, node: 0 | 1): Promise<TestUser> => {
    const u = await TestUser.register(cluster.gatewayUrl, prefix);
    users.push(u);
    // Once connected, the gateways route the user's rooms to this node (acknowledged in the handshake).
    await u.connect(at(cluster.nodes, node, 'IM node').url);
    return u;
  };

  const refused = (code: ErrorCode) => ({ ok: false, error: expect.objectContaining({ code }) });
  const dm = (from: TestUser, to: TestUser, text: string) =>
    from.command('message:send', { to: { type: 'user', id: to.id }, clientMsgId: uniqueName('c'), kind: 'text', body: { text } });
  const post = (from: TestUser, groupId: string, text: string) =>
    from.command('message:send', { to: { type: 'group', id: groupId }, clientMsgId: uniqueName('c'), kind: 'text', body: { text } });
  /**
   * Creates a group and waits until every member saw `created`; the room's
   * relay route to their nodes exists from then on (granted with the join).
   * The members are the owner's friends first, so they are added, not invited
   * (group-invitations.e2e.spec.ts covers strangers).
   */
  const createGroup = async (owner: TestUser, name: string, members: TestUser[]) => {
    for (const m of members) await befriend(owner, m);
    const { group } = await owner.ok('group:create', { name, memberIds: members.map((m) => m.id) });
    for (const m of members) await m.waitForEvent('group:update', (p) => p.change === 'created' && p.group.id === group.id);
    return group;
  };
  const settle = () => new Promise((r) => setTimeout(r, 300)); // a push that was going to arrive has arrived

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, name: 'social-e2e' });
  }, 90_000);

  afterEach(() => {
    for (const u of users.splice(0)) u.disconnect();
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  describe('profiles', () => {
    const api = (u: TestUser, path: string, init: RequestInit = {}) =>
      fetch(`${cluster.gatewayUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${u.auth.token}`, 'content-type': 'application/json' },
      });

    it('edits the own profile with PATCH /api/me and finds users by name, paged', async () => {
      const ann = await user('p-ann', 0);
      const tag = uniqueName('Zed');
      const patched = await api(ann, '/api/me', {
        method: 'PATCH',
        body: JSON.stringify({ displayName: `${tag} Ann`, avatarUrl: 'https://img.example/ann.png', bio: 'hello' }),
      });
      expect(patched.status).toBe(200);
      expect(await patched.json()).toEqual({
        user: { ...ann.auth.user, displayName: `${tag} Ann`, avatarUrl: 'https://img.example/ann.png', bio: 'hello' },
      });
      const bad = await api(ann, '/api/me', { method: 'PATCH', body: JSON.stringify({ avatarUrl: 'javascript:alert(1)' }) });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ code: 'INVALID_ARGUMENT', detail: expect.stringContaining('avatarUrl') });

      const ben = await user('p-ben', 1);
      await api(ben, '/api/me', { method: 'PATCH', body: JSON.stringify({ displayName: `${tag} Ben` }) });
      const search = async (query: string) =>
        ((await (await api(ben, `/api/users?${query}`)).json()) as { users: { id: string }[] }).users.map((u) => u.id);
      expect((await search(`q=${encodeURIComponent(tag.toLowerCase())}`)).sort()).toEqual([ann.id, ben.id].sort());
      const [first] = await search(`q=${encodeURIComponent(tag)}&limit=1`);
      const [second] = await search(`q=${encodeURIComponent(tag)}&limit=1&offset=1`);
      expect([first, second].sort()).toEqual([ann.id, ben.id].sort());
      expect(await search(`q=${encodeURIComponent(tag)}&limit=1&offset=2`)).toEqual([]);
    });
  });

  describe('friends', () => {
    it('runs request, accept, list with presence, and remove, pushing each step to the other node', async () => {
      const ann = await user('f-ann', 0);
      const ben = await user('f-ben', 1);
      const { request } = await ann.ok('friend:request', { userId: ben.id, note: 'we met at the party' });
      expect(request).toMatchObject({ fromUserId: ann.id, toUserId: ben.id, status: 'pending', fromUser: { username: ann.auth.user.username } });
      expect(await ben.waitForEvent('friend:request')).toEqual({ request });
      expect(await ben.ok('friend:requests', {})).toEqual({ ok: true, incoming: [request], outgoing: [] });

      const { request: accepted } = await ben.ok('friend:respond', { requestId: request.id, accept: true });
      expect(accepted.status).toBe('accepted');
      expect(await ann.waitForEvent('friend:update')).toEqual({ request: accepted });

      const list = await ann.ok('friend:list', {});
      expect(list.friends).toEqual([{ user: ben.auth.user, online: true, lastSeenAt: expect.any(Number) }]);

      // Presence goes to friends: Ben going offline reaches Ann on the other node.
      ben.disconnect();
      expect(await ann.waitForEvent('presence:update', (p) => p.userId === ben.id && !p.online)).toMatchObject({ online: false });
      expect(at((await ann.ok('friend:list', {})).friends, 0, 'friend').online).toBe(false);
      await ben.connect(at(cluster.nodes, 1, 'IM node').url);

      await ben.ok('friend:remove', { userId: ann.id });
      expect(await ann.waitForEvent('friend:update', (p) => 'removed' in p)).toEqual({ userId: ben.id, removed: true });
      expect((await ann.ok('friend:list', {})).friends).toEqual([]);
      expect(await ben.command('friend:remove', { userId: ann.id })).toEqual(refused('NOT_FOUND'));
    });

    it('lets only the target answer and only the sender cancel; rejects leave strangers', async () => {
      const ann = await user('fr-ann', 0);
      const ben = await user('fr-ben', 1);
      const eve = await user('fr-eve', 1);
      const { request } = await ann.ok('friend:request', { userId: ben.id });
      expect(await ann.command('friend:respond', { requestId: request.id, accept: true })).toEqual(refused('NOT_FOUND'));
      expect(await eve.command('friend:respond', { requestId: request.id, accept: true })).toEqual(refused('NOT_FOUND'));
      expect(await ben.command('friend:cancel', { requestId: request.id })).toEqual(refused('NOT_FOUND'));
      expect(await ann.command('friend:request', { userId: ben.id })).toEqual(refused('CONFLICT'));
      expect(await ann.command('friend:request', { userId: ann.id })).toEqual(refused('INVALID_ARGUMENT'));

      await ann.ok('friend:cancel', { requestId: request.id });
      expect(await ben.waitForEvent('friend:update')).toEqual({ request: expect.objectContaining({ id: request.id, status: 'cancelled' }) });
      expect((await ben.ok('friend:requests', {})).incoming).toEqual([]);

      const second = await ann.ok('friend:request', { userId: ben.id });
      await ben.ok('friend:respond', { requestId: second.request.id, accept: false });
      expect(await ann.waitForEvent('friend:update', (p) => 'request' in p && p.request.status === 'rejected')).toBeTruthy();
      expect((await ann.ok('friend:list', {})).friends).toEqual([]);
    });
  });

  describe('direct-message rules', () => {
    it('refuses a stranger\'s DM by default, and accepts it once the recipient allows anyone', async () => {
      const ann = await user('dm-ann', 0);
      const ben = await user('dm-ben', 1);
      expect(await dm(ann, ben, 'hi stranger')).toEqual(refused('FORBIDDEN'));
      expect(await ben.ok('settings:get', {})).toEqual({ ok: true, settings: { dmPolicy: 'friends', groupInvites: 'friends', previews: false, dnd: null } });
      expect(await ben.ok('settings:update', { dmPolicy: 'anyone' })).toEqual({ ok: true, settings: { dmPolicy: 'anyone', groupInvites: 'friends', previews: false, dnd: null } });
      const sent = await ann.sendText({ type: 'user', id: ben.id }, 'hi now');
      expect(await ben.waitForMessages(1)).toEqual([sent]);
      expect(await dm(ben, ann, 'but you only take friends')).toEqual(refused('FORBIDDEN'));
    });

    it('stops a blocked user\'s requests and DMs to the blocker, and the blocker\'s DMs too, until unblocked', async () => {
      const ann = await user('bl-ann', 0);
      const ben = await user('bl-ben', 1);
      await befriend(ann, ben);
      const before = await ben.sendText({ type: 'user', id: ann.id }, 'friends talk');
      await ann.waitForMessages(1);

      // Both accept anyone, so only the block stands in the way.
      await ann.ok('settings:update', { dmPolicy: 'anyone' });
      await ben.ok('settings:update', { dmPolicy: 'anyone' });
      await ann.ok('user:block', { userId: ben.id });
      expect(await ben.waitForEvent('friend:update', (p) => 'removed' in p)).toEqual({ userId: ann.id, removed: true });
      expect(await dm(ben, ann, 'let me in')).toEqual(refused('FORBIDDEN'));
      expect(await dm(ann, ben, 'blocked you')).toEqual(refused('FORBIDDEN'));
      expect(await ben.command('friend:request', { userId: ann.id })).toEqual(refused('FORBIDDEN'));
      expect(await ben.command('typing', { conversationId: before.conversationId })).toEqual(refused('FORBIDDEN'));
      expect((await ann.ok('user:blocked', {})).users.map((u) => u.id)).toEqual([ben.id]);
      await settle();
      expect(ann.received.map((m) => m.id)).toEqual([before.id]);
      expect(ann.eventsOf('friend:request').filter((p) => p.request.fromUserId === ben.id)).toEqual([]);

      await ann.ok('user:unblock', { userId: ben.id });
      expect(await ann.command('user:unblock', { userId: ben.id })).toEqual(refused('NOT_FOUND'));
      // Unblocking does not restore the friendship, but both accept anyone again.
      expect((await ann.ok('friend:list', {})).friends).toEqual([]);
      expect((await dm(ben, ann, 'thanks')).ok).toBe(true);
      expect((await dm(ann, ben, 'welcome')).ok).toBe(true);
    });
  });

  describe('presence:query visibility', () => {
    /**
     * The ids `asker` got presence for, sorted. Online flags are left out on
     * purpose: chat.e2e covers them, and a loaded machine can lapse a node's liveness.
     */
    const visibleTo = async (asker: TestUser, asked: TestUser[]): Promise<string[]> =>
      (await asker.ok('presence:query', { userIds: asked.map((u) => u.id) })).presence.map((p) => p.userId).sort();
    const ids = (...list: TestUser[]): string[] => list.map((u) => u.id).sort();

    it('answers for friends and group co-members, never for strangers, and no longer after a block', async () => {
      const ann = await user('pv-ann', 0);
      const friend = await user('pv-friend', 1);
      const mate = await user('pv-mate', 1);
      const stranger = await user('pv-stranger', 0);
      await befriend(ann, friend);
      // A co-member, not a friend: ann accepts mate's invitation.
      const { invitations } = await mate.ok('group:create', { name: 'book club', memberIds: [ann.id] });
      await ann.ok('group:invitation:respond', { invitationId: at(invitations, 0, 'invitation').id, accept: true });

      const everyone = [ann, friend, mate, stranger];
      expect(await visibleTo(ann, everyone)).toEqual(ids(ann, friend, mate));
      expect(await visibleTo(stranger, everyone)).toEqual(ids(stranger));
      expect(await visibleTo(mate, [ann, friend])).toEqual(ids(ann));

      // A block hides both ways: the friendship ends, and a shared group no longer counts.
      await friend.ok('user:block', { userId: ann.id });
      await ann.ok('user:block', { userId: mate.id });
      expect(await visibleTo(ann, everyone)).toEqual(ids(ann));
      expect(await visibleTo(friend, [ann])).toEqual([]);
      expect(await visibleTo(mate, [ann])).toEqual([]);
    });

    it('answers for the other user of a direct conversation once one exists', async () => {
      const ann = await user('pv-dm-ann', 0);
      const ben = await user('pv-dm-ben', 1);
      expect(await visibleTo(ann, [ben])).toEqual([]);
      await ben.ok('settings:update', { dmPolicy: 'anyone' });
      await ann.sendText({ type: 'user', id: ben.id }, 'hello, stranger');
      expect(await visibleTo(ann, [ben])).toEqual(ids(ben));
      expect(await visibleTo(ben, [ann])).toEqual(ids(ann));
    });
  });

  describe('groups', () => {
    it('invites across nodes: the invitee is in the room at once, members see the join live and as a system message', async () => {
      const owner = await user('g-own', 0);
      const member = await user('g-mem', 1);
      const guest = await user('g-guest', 1);
      const outsider = await user('g-out', 0);
      const group = await createGroup(owner, 'crew', [member]);
      await befriend(member, guest); // friends are added at once; a stranger would be asked (group-invitations.e2e.spec.ts)
      await owner.sendText({ type: 'group', id: group.id }, 'before you came');

      expect(await outsider.command('group:invite', { groupId: group.id, userIds: [guest.id] })).toEqual(refused('FORBIDDEN'));
      const invited = await member.ok('group:invite', { groupId: group.id, userIds: [guest.id] });
      expect(invited).toMatchObject({ added: [guest.id], requests: [], invitations: [], group: { memberCount: 3 } });
      const joined = await owner.waitForEvent('group:update', (p) => p.change === 'joined');
      expect(joined).toMatchObject({ actorId: member.id, userIds: [guest.id], group: { id: group.id, memberCount: 3 } });
      const systemAtOwner = await owner.waitForMessage((m) => m.kind === 'system');
      expect(systemAtOwner.body.system).toEqual({ event: 'joined', actorId: member.id, userIds: [guest.id] });
      expect(await guest.waitForMessages(1, (m) => m.kind === 'system')).toEqual([systemAtOwner]);

      // The guest, on the other node, gets the group's messages from now on.
      const hello = await owner.sendText({ type: 'group', id: group.id }, 'welcome');
      expect(await guest.waitForMessages(1, (m) => m.id === hello.id)).toHaveLength(1);
      const history = await guest.ok('history:fetch', { conversationId: groupConversationId(group.id) });
      expect(history.messages.map((m) => m.body.text)).toEqual(['before you came', systemAtOwner.body.text, 'welcome']);
      const listed = await guest.ok('conversation:list', {});
      expect(listed.conversations.find((c) => c.conversationId === groupConversationId(group.id))).toMatchObject({ unread: 2 }); // the join line and 'welcome', not the older history
      expect((await guest.ok('group:list', {})).groups.map((g) => g.id)).toEqual([group.id]);
      const info = await guest.ok('group:info', { groupId: group.id });
      // (online flags are covered by chat.e2e and friend:list; a loaded machine can lapse a node's liveness here)
      expect(info.members.map((m) => [m.user.id, m.role]).sort()).toEqual(
        [[owner.id, 'owner'], [member.id, 'member'], [guest.id, 'member']].sort(),
      );
    });

    it('neither adds nor invites someone who blocked the inviter, and does not say why', async () => {
      const owner = await user('gb-own', 0);
      const shy = await user('gb-shy', 1);
      await shy.ok('user:block', { userId: owner.id });
      const { group } = await owner.ok('group:create', { name: 'no' });
      expect(await owner.ok('group:invite', { groupId: group.id, userIds: [shy.id] })).toMatchObject({ added: [], requests: [], invitations: [] });
      expect(await owner.ok('group:create', { name: 'nope', memberIds: [shy.id] })).toMatchObject({ group: { memberCount: 1 }, invitations: [] });
      expect((await shy.ok('group:list', {})).groups).toEqual([]);
      expect((await shy.ok('group:invitations', {})).invitations).toEqual([]);
    });

    it('kicks: members may not, admins may; the kicked user is told and gets nothing more from the group', async () => {
      const owner = await user('k-own', 0);
      const admin = await user('k-adm', 1);
      const member = await user('k-mem', 0);
      const victim = await user('k-vic', 1);
      const group = await createGroup(owner, 'strict', [admin, member, victim]);
      expect(await admin.command('group:setRole', { groupId: group.id, userId: member.id, role: 'admin' })).toEqual(refused('FORBIDDEN'));
      await owner.ok('group:setRole', { groupId: group.id, userId: admin.id, role: 'admin' });
      expect(await member.waitForEvent('group:update', (p) => p.change === 'role')).toMatchObject({ userIds: [admin.id], role: 'admin' });

      expect(await member.command('group:kick', { groupId: group.id, userId: victim.id })).toEqual(refused('FORBIDDEN'));
      expect(await admin.command('group:kick', { groupId: group.id, userId: owner.id })).toEqual(refused('FORBIDDEN'));
      await admin.ok('group:kick', { groupId: group.id, userId: victim.id });
      expect(await victim.waitForEvent('group:update', (p) => p.change === 'kicked')).toMatchObject({
        actorId: admin.id,
        userIds: [victim.id],
        group: { memberCount: 3 },
      });
      const kickLine = await member.waitForMessage((m) => m.kind === 'system');
      expect(kickLine.body.system).toEqual({ event: 'kicked', actorId: admin.id, userIds: [victim.id] });

      const after = await owner.sendText({ type: 'group', id: group.id }, 'only for members');
      await member.waitForMessages(1, (m) => m.id === after.id);
      await admin.waitForMessages(1, (m) => m.id === after.id);
      await settle();
      expect(victim.received.filter((m) => m.conversationId === groupConversationId(group.id))).toEqual([]);
      expect(await post(victim, group.id, 'let me back')).toEqual(refused('FORBIDDEN'));
      expect(await victim.command('history:fetch', { conversationId: groupConversationId(group.id) })).toEqual(refused('NOT_FOUND'));
      expect(await victim.command('group:info', { groupId: group.id })).toEqual(refused('FORBIDDEN'));
      expect(await victim.command('group:leave', { groupId: group.id })).toEqual(refused('FORBIDDEN'));
      expect((await victim.ok('sync', {})).conversations).toEqual([]);
    });

    it('mutes a member and mutes all, enforced on send; only admins may', async () => {
      const owner = await user('m-own', 0);
      const talker = await user('m-talk', 1);
      const other = await user('m-oth', 0);
      const group = await createGroup(owner, 'quiet', [talker, other]);
      const until = Date.now() + 3_600_000;
      expect(await other.command('group:mute', { groupId: group.id, userId: talker.id, untilMs: until })).toEqual(refused('FORBIDDEN'));
      await owner.ok('group:mute', { groupId: group.id, userId: talker.id, untilMs: until });
      expect(await talker.waitForEvent('group:update', (p) => p.change === 'muted')).toMatchObject({ userIds: [talker.id], mutedUntil: until });
      expect(await post(talker, group.id, 'can I?')).toEqual(refused('FORBIDDEN'));
      expect((await post(other, group.id, 'I can')).ok).toBe(true);
      await owner.ok('group:mute', { groupId: group.id, userId: talker.id, untilMs: 0 });
      expect((await post(talker, group.id, 'free again')).ok).toBe(true);

      expect(await other.command('group:update', { groupId: group.id, muteAll: true })).toEqual(refused('FORBIDDEN'));
      const { group: silent } = await owner.ok('group:update', { groupId: group.id, muteAll: true });
      expect(silent.muteAll).toBe(true);
      expect(await talker.waitForEvent('group:update', (p) => p.change === 'updated')).toMatchObject({ group: { muteAll: true } });
      expect(await post(talker, group.id, 'hello?')).toEqual(refused('FORBIDDEN'));
      expect((await post(owner, group.id, 'announcements only')).ok).toBe(true);
    });

    it('renames with a live update and a system message; transfers ownership; the owner cannot leave before', async () => {
      const owner = await user('t-own', 0);
      const heir = await user('t-heir', 1);
      const group = await createGroup(owner, 'old name', [heir]);
      expect(await heir.command('group:update', { groupId: group.id, name: 'mine now' })).toEqual(refused('FORBIDDEN'));
      await owner.ok('group:update', { groupId: group.id, name: 'new name', announcement: 'read the rules' });
      expect(await heir.waitForEvent('group:update', (p) => p.change === 'updated')).toMatchObject({
        group: { name: 'new name', announcement: 'read the rules' },
      });
      const renamed = await heir.waitForMessage((m) => m.kind === 'system');
      expect(renamed.body.system).toEqual({ event: 'renamed', actorId: owner.id, name: 'new name' });

      expect(await owner.command('group:leave', { groupId: group.id })).toEqual(refused('FORBIDDEN'));
      expect(await heir.command('group:transfer', { groupId: group.id, userId: heir.id })).toEqual(refused('FORBIDDEN'));
      await owner.ok('group:transfer', { groupId: group.id, userId: heir.id });
      expect(await heir.waitForEvent('group:update', (p) => p.change === 'transferred')).toMatchObject({ group: { ownerId: heir.id } });
      await owner.ok('group:leave', { groupId: group.id });
      expect(await heir.waitForEvent('group:update', (p) => p.change === 'left')).toMatchObject({ userIds: [owner.id] });
      const info = await heir.ok('group:info', { groupId: group.id });
      expect(info.members.map((m) => [m.user.id, m.role])).toEqual([[heir.id, 'owner']]);
    });

    it('runs join requests for a public group with approval, pushed to admins on the other node', async () => {
      const owner = await user('j-own', 0);
      const admin = await user('j-adm', 1);
      const member = await user('j-mem', 0);
      const asker = await user('j-ask', 1);
      const walkIn = await user('j-walk', 0);
      const invitee = await user('j-inv', 1);
      const group = await createGroup(owner, 'club', [admin, member]);
      await owner.ok('group:setRole', { groupId: group.id, userId: admin.id, role: 'admin' });
      expect(await asker.command('group:join', { groupId: group.id })).toEqual(refused('FORBIDDEN'));

      await owner.ok('group:update', { groupId: group.id, isPublic: true });
      expect(await walkIn.ok('group:join', { groupId: group.id })).toMatchObject({ group: { id: group.id, memberCount: 4 } });
      expect(await walkIn.command('group:join', { groupId: group.id })).toEqual(refused('CONFLICT'));

      await owner.ok('group:update', { groupId: group.id, joinApproval: true });
      const asked = await asker.ok('group:join', { groupId: group.id });
      if (!('request' in asked)) throw new Error('expected a join request');
      expect(asked.request).toMatchObject({ groupId: group.id, status: 'pending', user: { id: asker.id } });
      expect(await admin.waitForEvent('group:request')).toEqual({ request: asked.request });
      expect(await member.command('group:requests', { groupId: group.id })).toEqual(refused('FORBIDDEN'));
      expect(await member.command('group:respond', { requestId: asked.request.id, accept: true })).toEqual(refused('FORBIDDEN'));
      expect((await admin.ok('group:requests', { groupId: group.id })).requests).toEqual([asked.request]);

      // A plain member's invite now waits for approval too.
      const invited = await member.ok('group:invite', { groupId: group.id, userIds: [invitee.id] });
      expect(invited).toMatchObject({ added: [], requests: [{ inviterId: member.id, status: 'pending' }] });

      const { request } = await admin.ok('group:respond', { requestId: asked.request.id, accept: true });
      expect(request.status).toBe('accepted');
      expect(await asker.waitForEvent('group:request', (p) => p.request.status === 'accepted')).toBeTruthy();
      expect(await owner.waitForEvent('group:update', (p) => p.change === 'joined' && p.userIds?.[0] === asker.id)).toBeTruthy();
      expect(await asker.waitForEvent('group:update', (p) => p.change === 'joined')).toMatchObject({ actorId: asker.id });
      const hi = await member.sendText({ type: 'group', id: group.id }, 'hi newcomer');
      await asker.waitForMessages(1, (m) => m.id === hi.id);
    });

    it('finds public groups only, paged, and joins (or asks to join) one from the results on the other node', async () => {
      const owner = await user('s-own', 0);
      const finder = await user('s-find', 1);
      const tag = uniqueName('Findme');
      const open = await createGroup(owner, `${tag} a open`, []);
      const gated = await createGroup(owner, `${tag} b gated`, []);
      await createGroup(owner, `${tag} c secret`, []);
      await owner.ok('group:update', { groupId: open.id, isPublic: true });
      await owner.ok('group:update', { groupId: gated.id, isPublic: true, joinApproval: true });

      const search = (q: string, page: { limit?: number; offset?: number } = {}) => finder.ok('group:search', { q, ...page });
      const found = await search(`  ${tag.toLowerCase()} `);
      expect(found).toMatchObject({ groups: [{ id: open.id, memberCount: 1 }, { id: gated.id }], memberOf: [] });
      expect(found.groups).toHaveLength(2);
      const [openFound, gatedFound] = [at(found.groups, 0, 'found group'), at(found.groups, 1, 'found group')];
      expect((await search(tag, { limit: 1, offset: 1 })).groups.map((g) => g.id)).toEqual([gated.id]);
      expect(await search(tag, { offset: 2 })).toMatchObject({ groups: [], memberOf: [] });
      expect(await finder.command('group:search', { q: '   ' })).toEqual(refused('INVALID_ARGUMENT'));

      expect(await finder.ok('group:join', { groupId: openFound.id })).toMatchObject({ group: { id: open.id, memberCount: 2 } });
      await owner.waitForEvent('group:update', (p) => p.change === 'joined' && p.group.id === open.id);
      const hello = await owner.sendText({ type: 'group', id: open.id }, 'welcome');
      await finder.waitForMessages(1, (m) => m.id === hello.id);
      expect((await search(tag)).memberOf).toEqual([open.id]);

      const asked = await finder.ok('group:join', { groupId: gatedFound.id });
      expect(asked).toMatchObject({ request: { groupId: gated.id, status: 'pending', user: { id: finder.id } } });
      expect(await owner.waitForEvent('group:request', (p) => p.request.groupId === gated.id)).toMatchObject({ request: { user: { id: finder.id } } });
    });

    it('dissolves: only the owner; every member on both nodes is told; nothing remains', async () => {
      const owner = await user('d-own', 0);
      const admin = await user('d-adm', 1);
      const member = await user('d-mem', 1);
      const group = await createGroup(owner, 'short-lived', [admin, member]);
      await owner.ok('group:setRole', { groupId: group.id, userId: admin.id, role: 'admin' });
      expect(await admin.command('group:dissolve', { groupId: group.id })).toEqual(refused('FORBIDDEN'));
      await owner.ok('group:dissolve', { groupId: group.id });
      for (const u of [admin, member]) {
        expect(await u.waitForEvent('group:update', (p) => p.change === 'dissolved')).toMatchObject({ group: { id: group.id }, actorId: owner.id });
      }
      expect(await member.command('group:info', { groupId: group.id })).toEqual(refused('NOT_FOUND'));
      expect(await post(member, group.id, 'anyone?')).toEqual(refused('NOT_FOUND'));
      expect((await member.ok('group:list', {})).groups).toEqual([]);
    });
  });
});
