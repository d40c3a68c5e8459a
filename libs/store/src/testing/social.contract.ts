import type { PeerRelation, Store } from '@parley/domain';
import { must } from '@parley/util';
import type { StoreContractContext } from './contract-context';

/** SocialStore: friendships, blocks and how users relate. */
export function describeSocialStoreContract(ctx: StoreContractContext): void {
  const { createUser, now, newGroup, friendRequest, directMessage, expectRefusal } = ctx;
  const appendDirect = (from: string, to: string) => ctx.store().appendMessage(directMessage(from, to));
  const befriend = async (a: string, b: string): Promise<void> => {
    await ctx.store().resolveFriendRequest((await friendRequest(a, b)).id, 'accepted', now());
  };
  const nothing = { friends: false, blocking: false, blockedBy: false, direct: false, sharedGroup: false };

  describe('SocialStore', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store();
    });

    describe('friends', () => {
      it('lists many users\' friends read at once as read one by one (presence changes in a reconnect storm)', async () => {
        const users = await Promise.all(Array.from({ length: 12 }, () => createUser()));
        // A chain plus a hub: user 0 is everyone's friend, user i also befriends i + 1.
        for (const [i, u] of users.entries()) {
          if (i > 0) await befriend(must(users[0], 'hub').id, u.id);
          if (i > 0 && i + 1 < users.length) await befriend(u.id, must(users[i + 1], 'next').id);
        }
        const oneByOne: string[][] = [];
        for (const u of users) oneByOne.push(await store.listFriendIds(u.id));
        expect(oneByOne.map((ids) => ids.length)).toEqual(users.map((_, i) => (i === 0 ? users.length - 1 : i === 1 || i === users.length - 1 ? 2 : 3)));
        expect(await Promise.all([...users, ...users].map((u) => store.listFriendIds(u.id)))).toEqual([...oneByOne, ...oneByOne]);
        expect(await store.listFriendIds('nobody')).toEqual([]);
      });
    });

    describe('blocks', () => {
      it('adds blocks idempotently, reports them from both sides and removes them', async () => {
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
        await expectRefusal(store.addBlock(a.id, 'nobody', now()), 'NOT_FOUND', 'referenced-missing');
      });

      it('reads a recipient and the sender\'s relation to them in one call', async () => {
        const [a, b] = [await createUser(), await createUser()];
        await store.addBlock(b.id, a.id, now());
        const seen = await store.getDirectContext(a.id, b.id);
        expect(seen?.recipient).toEqual(await store.getUser(b.id));
        expect(seen?.relation).toEqual({ friends: false, blocking: false, blockedBy: true });
        expect((await store.getDirectContext(b.id, a.id))?.relation).toEqual({ friends: false, blocking: true, blockedBy: false });
        expect(await store.getDirectContext(a.id, 'nobody')).toBeNull();
      });

      it('answers a burst of concurrent lookups each with its own pair (engines may batch them)', async () => {
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

    describe('peer relations', () => {
      it('reports friendship, blocks both ways, a direct conversation and a shared group for each known id, by id', async () => {
        // Ids sort in creation order: `early` sorts before `me` in their direct conversation's id, `late` after.
        const early = await createUser();
        const me = await createUser();
        const [friend, late, groupMate, stranger, blocked, blocker] = await Promise.all([
          createUser(),
          createUser(),
          createUser(),
          createUser(),
          createUser(),
          createUser(),
        ]);
        await befriend(me.id, friend.id);
        await appendDirect(early.id, me.id);
        await appendDirect(me.id, late.id);
        await newGroup(groupMate.id, [me.id, blocker.id]);
        await store.addBlock(me.id, blocked.id, now());
        await store.addBlock(blocker.id, me.id, now());
        await appendDirect(stranger.id, groupMate.id); // others' conversations and groups do not count

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
  });
}
