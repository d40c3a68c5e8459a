import type { Store } from '@parley/domain';
import type { StoreContractContext } from './contract-context';

/** RequestStore: friend requests (and the friendships they make) and group join requests. */
export function describeRequestStoreContract(ctx: StoreContractContext): void {
  const { createUser, nextId, now, newGroup, friendRequest, expectRefusal } = ctx;

  describe('RequestStore', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store();
    });

    describe('friend requests and friendships', () => {
      it('keeps one pending request per direction and lists pending requests of both sides', async () => {
        const [a, b, c] = [await createUser(), await createUser(), await createUser()];
        const ab = await friendRequest(a.id, b.id, 'hi 👋');
        expect(ab).toMatchObject({ fromUserId: a.id, toUserId: b.id, note: 'hi 👋', status: 'pending' });
        expect(await store.getFriendRequest(ab.id)).toEqual(ab);
        await expectRefusal(friendRequest(a.id, b.id), 'CONFLICT', 'friend-request-pending');
        const ba = await friendRequest(b.id, a.id);
        const ca = await friendRequest(c.id, a.id);
        expect(await store.findPendingFriendRequest(a.id, b.id)).toEqual(ab);
        expect(await store.findPendingFriendRequest(a.id, c.id)).toBeNull();
        expect((await store.listPendingFriendRequests(a.id)).map((r) => r.id)).toEqual([ab.id, ba.id, ca.id]);
        expect((await store.listPendingFriendRequests(c.id)).map((r) => r.id)).toEqual([ca.id]);
        await expectRefusal(friendRequest(a.id, 'nobody'), 'NOT_FOUND', 'referenced-missing');
        expect(await store.getFriendRequest('nope')).toBeNull();
      });

      it('accepts a request into a friendship both ways, once', async () => {
        const [a, b] = [await createUser(), await createUser()];
        const request = await friendRequest(a.id, b.id);
        const at = now();
        const accepted = await store.resolveFriendRequest(request.id, 'accepted', at);
        expect(accepted).toMatchObject({ id: request.id, status: 'accepted', updatedAt: at });
        expect(await store.listFriendIds(a.id)).toEqual([b.id]);
        expect(await store.listFriendIds(b.id)).toEqual([a.id]);
        expect(await store.getRelation(a.id, b.id)).toEqual({ friends: true, blocking: false, blockedBy: false });
        await expectRefusal(store.resolveFriendRequest(request.id, 'rejected', now()), 'CONFLICT', 'request-resolved');
        await expectRefusal(store.resolveFriendRequest('nope', 'accepted', now()), 'NOT_FOUND', 'request-not-found');
        expect(await store.listPendingFriendRequests(b.id)).toEqual([]);
        // Answered requests free the pair for a new one.
        expect((await friendRequest(a.id, b.id)).status).toBe('pending');
      });

      it('rejects and cancels without befriending, and removes friendships both ways', async () => {
        const [a, b, c] = [await createUser(), await createUser(), await createUser()];
        await store.resolveFriendRequest((await friendRequest(a.id, b.id)).id, 'rejected', now());
        await store.resolveFriendRequest((await friendRequest(a.id, c.id)).id, 'cancelled', now());
        expect(await store.listFriendIds(a.id)).toEqual([]);
        await store.resolveFriendRequest((await friendRequest(c.id, a.id)).id, 'accepted', now());
        expect(await store.removeFriendship(a.id, c.id)).toBe(true);
        expect(await store.removeFriendship(c.id, a.id)).toBe(false);
        expect(await store.listFriendIds(a.id)).toEqual([]);
        expect(await store.listFriendIds(c.id)).toEqual([]);
      });
    });

    describe('group join requests', () => {

      it('keeps one pending join request per user and group, and resolves it once', async () => {
        const [owner, member, asker] = [await createUser(), await createUser(), await createUser()];
        const groupId = await newGroup(owner.id, [member.id]);
        const first = await store.createGroupJoinRequest({ id: nextId('JR'), groupId, userId: asker.id, inviterId: member.id, createdAt: now() });
        expect(first).toMatchObject({ created: true, request: { groupId, userId: asker.id, inviterId: member.id, status: 'pending' } });
        const again = await store.createGroupJoinRequest({ id: nextId('JR'), groupId, userId: asker.id, inviterId: null, createdAt: now() });
        expect(again).toEqual({ created: false, request: first.request });
        expect(await store.getGroupJoinRequest(first.request.id)).toEqual(first.request);
        expect(await store.listGroupJoinRequests(groupId)).toEqual([first.request]);
        const resolved = await store.resolveGroupJoinRequest(first.request.id, 'rejected', now());
        expect(resolved.status).toBe('rejected');
        await expectRefusal(store.resolveGroupJoinRequest(first.request.id, 'accepted', now()), 'CONFLICT', 'request-resolved');
        await expectRefusal(store.resolveGroupJoinRequest('nope', 'accepted', now()), 'NOT_FOUND', 'request-not-found');
        expect(await store.listGroupJoinRequests(groupId)).toEqual([]);
        const next = await store.createGroupJoinRequest({ id: nextId('JR'), groupId, userId: asker.id, inviterId: null, createdAt: now() });
        expect(next.created).toBe(true);
        await expectRefusal(
          store.createGroupJoinRequest({ id: nextId('JR'), groupId: 'nope', userId: asker.id, inviterId: null, createdAt: now() }),
          'NOT_FOUND',
          'referenced-missing',
        );
      });
    });
  });
}
