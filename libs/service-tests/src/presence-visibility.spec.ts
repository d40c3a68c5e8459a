import { createSocialWorld, type SocialWorld } from './support/social-world';

/** Whose presence `presence:query` (SessionService.query) answers, over the real SQLite engine. */
describe('presence visibility', () => {
  let w: SocialWorld;

  /** The ids the viewer gets presence for, in the order answered. */
  const seen = async (viewerId: string, userIds: string[]): Promise<string[]> =>
    (await w.sessions.query(viewerId, userIds)).map((p) => p.userId);

  beforeEach(async () => {
    w = await createSocialWorld();
    await w.addUsers('me', 'friend', 'peer', 'mate', 'stranger');
    for (const id of ['me', 'friend', 'peer', 'mate', 'stranger']) await w.presence.addSession(id, `s-${id}`, 'n1');
  });

  afterEach(() => w.close());

  it('answers for the viewer, friends, direct peers and group co-members, and leaves strangers and unknown ids out', async () => {
    await w.befriend('me', 'friend');
    await w.store.updateProfile('me', { dmPolicy: 'anyone' });
    await w.dm('peer', 'me', 'hello'); // a direct conversation, started by the other side
    await w.groupWith('mate', 'club', ['me']);

    const presence = await w.sessions.query('me', ['stranger', 'mate', 'nobody', 'peer', 'me', 'friend', 'peer']);
    expect(presence).toEqual(
      ['mate', 'peer', 'me', 'friend'].map((userId) => ({ userId, online: true, lastSeenAt: w.clock.now() })),
    );
    // Visibility goes both ways along each relation.
    for (const other of ['friend', 'peer', 'mate']) expect(await seen(other, ['me'])).toEqual(['me']);
    expect(await seen('stranger', ['me', 'friend', 'peer', 'mate'])).toEqual([]);
    expect(await seen('stranger', ['stranger'])).toEqual(['stranger']);
  });

  it('hides users from each other after a block in either direction, whatever they share', async () => {
    await w.befriend('me', 'friend');
    await w.groupWith('mate', 'club', ['me', 'friend']);
    expect(await seen('me', ['friend', 'mate'])).toEqual(['friend', 'mate']);

    await w.friends.block('friend', { userId: 'me' });
    await w.friends.block('me', { userId: 'mate' });
    expect(await seen('me', ['friend', 'mate'])).toEqual([]);
    expect(await seen('friend', ['me'])).toEqual([]);
    expect(await seen('mate', ['me'])).toEqual([]);
    // Still in one group with the others, who were not blocked.
    expect(await seen('friend', ['mate'])).toEqual(['mate']);

    await w.friends.unblock('me', { userId: 'mate' });
    expect(await seen('me', ['mate'])).toEqual(['mate']);
  });

  it('shows group members on either side of a block with the caller as offline in group:info', async () => {
    const group = await w.groupWith('mate', 'club', ['me', 'friend', 'peer']);
    await w.friends.block('friend', { userId: 'me' });
    await w.friends.block('me', { userId: 'peer' });
    const online = async (viewerId: string) =>
      (await w.groups.info(viewerId, { groupId: group.id })).members.map((m) => [m.user.id, m.online]).sort();
    expect(await online('me')).toEqual([['friend', false], ['mate', true], ['me', true], ['peer', false]]);
    expect(await online('friend')).toEqual([['friend', true], ['mate', true], ['me', false], ['peer', true]]);
    expect(await online('mate')).toEqual([['friend', true], ['mate', true], ['me', true], ['peer', true]]);
  });

  it('stops answering for a group co-member once they leave', async () => {
    const group = await w.groupWith('mate', 'club', ['me', 'stranger']);
    expect(await seen('stranger', ['me'])).toEqual(['me']);
    await w.groups.leave('stranger', { groupId: group.id });
    expect(await seen('stranger', ['me', 'mate'])).toEqual([]);
    expect(await seen('me', ['mate'])).toEqual(['mate']);
  });
});
