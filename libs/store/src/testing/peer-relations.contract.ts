import type { NewMessage, PeerRelation } from '@parley/domain';
import type { SocialContractContext } from './social.contract';

export interface PeerRelationsContractContext extends SocialContractContext {
  /** A direct message from one user to another, ready to append. */
  directMessage(from: string, to: string): NewMessage;
}

/** listPeerRelations: what one user shares with each of many others, read at once. */
export function describePeerRelationsContract(ctx: PeerRelationsContractContext): void {
  const { createUser, nextId, now } = ctx;
  const directMessage = (from: string, to: string) => ctx.store().appendMessage(ctx.directMessage(from, to));

  const nothing = { friends: false, blocking: false, blockedBy: false, direct: false, sharedGroup: false };

  const befriend = async (a: string, b: string): Promise<void> => {
    const request = await ctx.store().createFriendRequest({ id: nextId('FR'), fromUserId: a, toUserId: b, note: null, createdAt: now() });
    await ctx.store().resolveFriendRequest(request.id, 'accepted', now());
  };

  const newGroup = async (ownerId: string, memberIds: string[]): Promise<string> => {
    const id = nextId('G');
    await ctx.store().createGroup({ id, name: `group ${id}`, ownerId, memberIds, createdAt: now() });
    return id;
  };

  describe('peer relations', () => {
    it('reports friendship, blocks both ways, a direct conversation and a shared group for each known id, by id', async () => {
      const store = ctx.store();
      // Ids sort in creation order: `early` sorts before `me` in their direct conversation's id, `late` after.
      const early = await createUser();
      const me = await createUser();
      const [friend, late, groupMate, stranger, blocked, blocker] = await Promise.all(Array.from({ length: 6 }, () => createUser()));
      await befriend(me.id, friend.id);
      await directMessage(early.id, me.id);
      await directMessage(me.id, late.id);
      await newGroup(groupMate.id, [me.id, blocker.id]);
      await store.addBlock(me.id, blocked.id, now());
      await store.addBlock(blocker.id, me.id, now());
      await directMessage(stranger.id, groupMate.id); // others' conversations and groups do not count

      const asked = [stranger, blocker, blocked, groupMate, late, friend, early].map((u) => u.id);
      const relations = await store.listPeerRelations(me.id, [...asked, 'nobody']);
      const expected: PeerRelation[] = [
        { peerId: early.id, ...nothing, direct: true },
        { peerId: friend.id, ...nothing, friends: true },
        { peerId: late.id, ...nothing, direct: true },
        { peerId: groupMate.id, ...nothing, sharedGroup: true },
        { peerId: stranger.id, ...nothing },
        { peerId: blocked.id, ...nothing, blocking: true },
        { peerId: blocker.id, ...nothing, blockedBy: true, sharedGroup: true },
      ];
      expect(relations).toEqual(expected.sort((a, b) => (a.peerId < b.peerId ? -1 : 1)));
      expect(await store.listPeerRelations(me.id, [])).toEqual([]);
    });

    it('forgets a shared group once either side leaves it', async () => {
      const store = ctx.store();
      const [me, owner, other] = [await createUser(), await createUser(), await createUser()];
      const groupId = await newGroup(owner.id, [me.id, other.id]);
      expect((await store.listPeerRelations(me.id, [other.id])).map((r) => r.sharedGroup)).toEqual([true]);
      await store.removeGroupMember(groupId, other.id);
      expect(await store.listPeerRelations(me.id, [other.id, owner.id])).toEqual([
        { peerId: owner.id, ...nothing, sharedGroup: true },
        { peerId: other.id, ...nothing },
      ]);
    });
  });
}
