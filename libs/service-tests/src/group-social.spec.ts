import { groupConversationId, groupRoom, userRoom, type Message } from '@parley/protocol';
import { at } from '@parley/testing';
import { createSocialWorld, type SocialWorld } from './support/social-world';

/** Group membership and moderation rules, over the real SQLite engine. */
describe('GroupService and GroupAdminService', () => {
  let w: SocialWorld;
  let groupId: string;

  const systemMessages = async (): Promise<Message[]> =>
    (await w.store.getMessages('owner', groupConversationId(groupId), { afterSeq: 0, limit: 100 })).filter((m) => m.kind === 'system');
  const updates = () => w.notifier.published('group:update').map((p) => ({ rooms: p.rooms, ...(p.payload as object) }));
  const role = async (userId: string) => (await w.store.getGroupMember(groupId, userId))?.role;

  beforeEach(async () => {
    w = await createSocialWorld({ maxMembers: 5 });
    await w.addUsers('owner', 'admin', 'member', 'other', 'outsider', 'extra');
    // Friends join at once; strangers are invited instead (group-invitations.spec.ts).
    for (const friend of ['admin', 'member', 'other']) await w.befriend('owner', friend);
    groupId = (await w.groups.create('owner', { name: 'club', memberIds: ['admin', 'member', 'other'] })).group.id;
    await w.admin.setRole('owner', { groupId, userId: 'admin', role: 'admin' });
  });

  afterEach(() => w.close());

  describe('membership', () => {
    it('lists the caller\'s groups and shows info to members only', async () => {
      expect((await w.groups.list('member')).map((g) => g.id)).toEqual([groupId]);
      expect(await w.groups.list('outsider')).toEqual([]);
      const info = await w.groups.info('member', { groupId });
      expect(info.members.map((m) => [m.user.id, m.role]).sort()).toEqual([
        ['admin', 'admin'],
        ['member', 'member'],
        ['other', 'member'],
        ['owner', 'owner'],
      ]);
      await expect(w.groups.info('outsider', { groupId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('lets any member invite: invited friends join at once, see no old messages as unread, and everyone is told', async () => {
      await w.befriend('member', 'outsider');
      await w.post('owner', groupId, 'old news');
      const result = await w.groups.invite('member', { groupId, userIds: ['outsider', 'other'] });
      expect(result).toMatchObject({ added: ['outsider'], requests: [], invitations: [], group: { memberCount: 5 } });
      expect(w.notifier.events).toContainEqual({ kind: 'join', userIds: ['outsider'], room: groupRoom(groupId) });
      expect(updates().at(-1)).toMatchObject({ rooms: [groupRoom(groupId), userRoom('outsider')], change: 'joined', actorId: 'member', userIds: ['outsider'] });
      expect(w.notifier.published('message:new').at(-1)?.rooms).toEqual([groupRoom(groupId), userRoom('outsider')]);
      expect((await systemMessages()).map((m) => [m.senderId, m.body])).toEqual([
        ['member', { text: 'MEMBER added OUTSIDER', system: { event: 'joined', actorId: 'member', userIds: ['outsider'] } }],
      ]);
      const synced = await w.messaging.sync('outsider', { limit: 100 });
      expect(at(synced.conversations, 0, 'synced conversation').messages.map((m) => m.kind)).toEqual(['system']);
      const history = await w.messaging.history('outsider', { conversationId: groupConversationId(groupId), limit: 10 });
      expect(history.messages.map((m) => m.body.text)).toEqual(['old news', 'MEMBER added OUTSIDER']);
    });

    it('refuses invites from non-members, of unknown users, and over the limit; users who blocked the inviter are left out', async () => {
      await expect(w.groups.invite('outsider', { groupId, userIds: ['extra'] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.groups.invite('member', { groupId, userIds: ['nobody'] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await w.befriend('member', 'extra');
      await w.friends.block('extra', { userId: 'member' });
      // Neither added nor invited, and nothing tells the inviter why (as if the invitation were ignored).
      expect(await w.groups.invite('member', { groupId, userIds: ['extra'] })).toMatchObject({ added: [], requests: [], invitations: [] });
      const created = await w.groups.create('member', { name: 'x', memberIds: ['extra'] });
      expect(created).toMatchObject({ group: { memberCount: 1 }, invitations: [] });
      expect(await w.store.listPendingGroupInvitations('extra', 10)).toEqual([]);
      await w.befriend('owner', 'outsider');
      await w.friends.unblock('extra', { userId: 'member' });
      await w.befriend('owner', 'extra');
      await expect(w.groups.invite('owner', { groupId, userIds: ['extra', 'outsider'] })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect((await w.groups.info('owner', { groupId })).group.memberCount).toBe(4);
    });

    it('turns a plain member\'s invites into join requests when approval is on; admins answer them', async () => {
      await w.admin.update('admin', { groupId, joinApproval: true });
      const { added, requests } = await w.groups.invite('member', { groupId, userIds: ['outsider'] });
      expect(added).toEqual([]);
      expect(requests).toEqual([expect.objectContaining({ groupId, inviterId: 'member', status: 'pending', user: expect.objectContaining({ id: 'outsider' }) })]);
      expect([...(w.notifier.published('group:request').at(-1)?.rooms ?? [])].sort()).toEqual(
        [userRoom('admin'), userRoom('outsider'), userRoom('owner')],
      );
      const requestId = at(requests, 0, 'join request').id;
      expect(await w.store.getGroupMember(groupId, 'outsider')).toBeNull();
      await expect(w.groups.requests('member', { groupId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.groups.respond('member', { requestId, accept: true })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.groups.respond('outsider', { requestId, accept: true })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect((await w.groups.requests('admin', { groupId })).requests.map((r) => r.id)).toEqual([requestId]);
      const answered = await w.groups.respond('admin', { requestId, accept: true });
      expect(answered.request.status).toBe('accepted');
      // Approved by an admin, the stranger still has the last word: an invitation from the member who asked.
      expect(await role('outsider')).toBeUndefined();
      const [invitation] = await w.store.listPendingGroupInvitations('outsider', 10);
      expect(invitation).toMatchObject({ groupId, inviterId: 'member', inviteeId: 'outsider' });
      await w.groups.respondToInvitation('outsider', { invitationId: invitation?.id ?? '', accept: true });
      expect(await role('outsider')).toBe('member');
      await expect(w.groups.respond('admin', { requestId, accept: false })).rejects.toMatchObject({ code: 'CONFLICT' });
      // Admins' own invites skip approval.
      await w.groups.leave('other', { groupId });
      await w.befriend('admin', 'extra');
      expect((await w.groups.invite('admin', { groupId, userIds: ['extra'] })).added).toEqual(['extra']);
    });

    it('lets anyone join a public group, or ask to when approval is on; private groups refuse', async () => {
      await expect(w.groups.join('outsider', { groupId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.groups.join('member', { groupId })).rejects.toMatchObject({ code: 'CONFLICT' });
      await w.admin.update('owner', { groupId, isPublic: true });
      expect(await w.groups.join('outsider', { groupId })).toEqual({ group: expect.objectContaining({ id: groupId, memberCount: 5 }) });
      expect((await systemMessages()).at(-1)?.body.text).toBe('OUTSIDER joined');
      await w.admin.update('owner', { groupId, joinApproval: true });
      const asked = await w.groups.join('extra', { groupId });
      expect(asked).toEqual({ request: expect.objectContaining({ status: 'pending', user: expect.objectContaining({ id: 'extra' }) }) });
      // Asking again answers with the same pending request.
      expect(await w.groups.join('extra', { groupId })).toEqual(asked);
      const id = 'request' in asked ? asked.request.id : '';
      // The group is full (5): accepting fails and the request stays pending.
      await expect(w.groups.respond('owner', { requestId: id, accept: true })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect((await w.groups.requests('owner', { groupId })).requests).toHaveLength(1);
      expect((await w.groups.respond('owner', { requestId: id, accept: false })).request.status).toBe('rejected');
    });

    it('finds public groups only, paged, and tells the caller which of them they are in', async () => {
      const search = (userId: string, q: string, limit = 20, offset = 0) => w.groups.search(userId, { q, limit, offset });
      expect(await search('outsider', 'club')).toEqual({ groups: [], memberOf: [] });
      await w.admin.update('owner', { groupId, isPublic: true });
      const other = (await w.groups.create('outsider', { name: 'Book CLUB' })).group.id;
      await w.admin.update('outsider', { groupId: other, isPublic: true });
      await w.groups.create('outsider', { name: 'secret club' });
      const found = await search('member', 'Club');
      expect(found.groups.map((g) => [g.id, g.memberCount])).toEqual([[other, 1], [groupId, 4]]);
      expect(found.memberOf).toEqual([groupId]);
      expect(await search('outsider', 'club', 1, 1)).toEqual({ groups: [expect.objectContaining({ id: groupId })], memberOf: [] });
    });

    it('lets members leave, but not the owner; the leaver is told and leaves the room', async () => {
      await expect(w.groups.leave('owner', { groupId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.groups.leave('outsider', { groupId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await w.groups.leave('member', { groupId });
      expect(updates().at(-1)).toMatchObject({ rooms: [groupRoom(groupId), userRoom('member')], change: 'left', userIds: ['member'] });
      expect(w.notifier.events).toContainEqual({ kind: 'leave', userIds: ['member'], room: groupRoom(groupId) });
      expect((await systemMessages()).at(-1)?.body).toEqual({ text: 'MEMBER left', system: { event: 'left', actorId: 'member', userIds: ['member'] } });
      await expect(w.post('member', groupId, 'still here?')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });
  });

  describe('moderation', () => {
    it('lets admins kick members but not admins or the owner, and members kick no one', async () => {
      await expect(w.admin.kick('member', { groupId, userId: 'other' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.admin.kick('outsider', { groupId, userId: 'other' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.admin.kick('admin', { groupId, userId: 'owner' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await w.store.setGroupMemberRole(groupId, 'other', 'admin');
      await expect(w.admin.kick('admin', { groupId, userId: 'other' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.admin.kick('admin', { groupId, userId: 'admin' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(w.admin.kick('admin', { groupId, userId: 'outsider' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect((await w.groups.info('owner', { groupId })).members).toHaveLength(4);

      await w.admin.kick('admin', { groupId, userId: 'member' });
      expect(updates().at(-1)).toMatchObject({ rooms: [groupRoom(groupId), userRoom('member')], change: 'kicked', actorId: 'admin', userIds: ['member'] });
      expect((await systemMessages()).at(-1)?.body.text).toBe('ADMIN removed MEMBER');
      await w.admin.kick('owner', { groupId, userId: 'other' });
      expect(await role('other')).toBeUndefined();
    });

    it('shuts a kicked member out of posting, history and sync', async () => {
      await w.post('member', groupId, 'hello');
      await w.admin.kick('owner', { groupId, userId: 'member' });
      await w.post('owner', groupId, 'after the kick');
      await expect(w.post('member', groupId, 'again')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.messaging.history('member', { conversationId: groupConversationId(groupId), limit: 10 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect((await w.messaging.sync('member', { limit: 100 })).conversations).toEqual([]);
      await expect(w.groups.info('member', { groupId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('lets only the owner change roles', async () => {
      await expect(w.admin.setRole('admin', { groupId, userId: 'member', role: 'admin' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.admin.setRole('member', { groupId, userId: 'member', role: 'admin' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.admin.setRole('owner', { groupId, userId: 'outsider', role: 'admin' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await w.admin.setRole('owner', { groupId, userId: 'member', role: 'admin' });
      expect(await role('member')).toBe('admin');
      expect(updates().at(-1)).toMatchObject({ change: 'role', userIds: ['member'], role: 'admin', actorId: 'owner' });
      await w.admin.setRole('owner', { groupId, userId: 'admin', role: 'member' });
      expect(await role('admin')).toBe('member');
    });

    it('lets only the owner transfer ownership, after which they may leave', async () => {
      await expect(w.admin.transfer('admin', { groupId, userId: 'admin' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.admin.transfer('admin', { groupId, userId: 'member' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.admin.transfer('owner', { groupId, userId: 'outsider' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await w.admin.transfer('owner', { groupId, userId: 'member' });
      expect(updates().at(-1)).toMatchObject({ change: 'transferred', userIds: ['member'], group: { ownerId: 'member' } });
      expect([await role('owner'), await role('member')]).toEqual(['admin', 'owner']);
      await w.groups.leave('owner', { groupId });
      await expect(w.admin.dissolve('owner', { groupId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('mutes a member until a time, enforced on send, and lifts it', async () => {
      await expect(w.admin.mute('member', { groupId, userId: 'other', untilMs: w.clock.now() + 60_000 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.admin.mute('admin', { groupId, userId: 'owner', untilMs: w.clock.now() + 60_000 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      const until = w.clock.now() + 60_000;
      await w.admin.mute('admin', { groupId, userId: 'member', untilMs: until });
      expect(updates().at(-1)).toMatchObject({ change: 'muted', userIds: ['member'], mutedUntil: until });
      expect((await w.groups.info('other', { groupId })).members.find((m) => m.user.id === 'member')?.mutedUntil).toBe(until);
      await expect(w.post('member', groupId, 'shh')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect((await w.post('other', groupId, 'others may')).seq).toBe(1);
      w.clock.t = until;
      expect((await w.post('member', groupId, 'time is up')).seq).toBe(2);
      await w.admin.mute('admin', { groupId, userId: 'member', untilMs: until + 60_000 });
      await w.admin.mute('owner', { groupId, userId: 'member', untilMs: 0 });
      expect((await w.post('member', groupId, 'unmuted')).seq).toBe(3);
      // The owner may mute an admin.
      await w.admin.mute('owner', { groupId, userId: 'admin', untilMs: until + 60_000 });
      await expect(w.post('admin', groupId, 'muted admin')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('answers a retry of a send stored before the sender was muted with the original ack', async () => {
      const send = () =>
        w.messaging.send('member', { to: { type: 'group', id: groupId }, clientMsgId: 'retry-1', kind: 'text', body: { text: 'made it' } });
      const first = await send();
      await w.admin.mute('admin', { groupId, userId: 'member', untilMs: w.clock.now() + 60_000 });
      expect(await send()).toEqual(first);
      await expect(w.post('member', groupId, 'a new one')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('with mute-all lets only the owner and admins post', async () => {
      await expect(w.admin.update('member', { groupId, muteAll: true })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      const group = await w.admin.update('admin', { groupId, muteAll: true });
      expect(group.muteAll).toBe(true);
      await expect(w.post('member', groupId, 'hello?')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await w.post('admin', groupId, 'admins speak');
      await w.post('owner', groupId, 'owners too');
      await w.admin.update('owner', { groupId, muteAll: false });
      await w.post('member', groupId, 'finally');
    });

    it('renames with a system message and sets the announcement; members may not', async () => {
      await expect(w.admin.update('member', { groupId, name: 'mine' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      const group = await w.admin.update('admin', { groupId, name: 'the club', announcement: 'be nice' });
      expect(group).toMatchObject({ name: 'the club', announcement: 'be nice' });
      expect(updates().at(-1)).toMatchObject({ change: 'updated', actorId: 'admin', group: { name: 'the club' } });
      expect((await systemMessages()).map((m) => m.body)).toEqual([
        { text: 'ADMIN renamed the group to the club', system: { event: 'renamed', actorId: 'admin', name: 'the club' } },
      ]);
      expect((await w.admin.update('admin', { groupId, announcement: '' })).announcement).toBeUndefined();
    });

    it('lets only the owner dissolve; members are told and leave the room; everything is gone', async () => {
      await expect(w.admin.dissolve('admin', { groupId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(w.admin.dissolve('outsider', { groupId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await w.post('member', groupId, 'bye');
      await w.admin.dissolve('owner', { groupId });
      expect(updates().at(-1)).toMatchObject({ rooms: [groupRoom(groupId)], change: 'dissolved', actorId: 'owner' });
      const leave = w.notifier.events.at(-1);
      expect(leave).toMatchObject({ kind: 'leave', room: groupRoom(groupId) });
      expect(leave && 'userIds' in leave ? [...leave.userIds].sort() : []).toEqual(['admin', 'member', 'other', 'owner']);
      await expect(w.groups.info('owner', { groupId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await w.groups.list('member')).toEqual([]);
      expect(await w.store.listMemberConversations('member')).toEqual([]);
    });
  });
});
