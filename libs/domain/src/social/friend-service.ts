import {
  ParleyError,
  userRoom,
  type CommandPayload,
  type CommandResults,
  type FriendRequest,
  type User,
} from '@parley/protocol';
import { toUserView } from '../accounts/user-view';
import type { Clock, IdGenerator, InvitationStore, Notifier, Presence, RequestStore, SocialStore, UserStore } from '../ports';
import { toFriendRequestView, toFriendRequestViews } from './friend-request-view';

export interface FriendServiceDeps {
  store: UserStore & SocialStore & RequestStore & InvitationStore;
  presence: Presence;
  notifier: Notifier;
  ids: IdGenerator;
  clock: Clock;
}

/**
 * Friend requests, friendships and blocks. Every right comes from the store
 * (who sent a request, who is blocked), never from the payload; each change
 * is pushed to both users' sessions.
 */
export class FriendService {
  constructor(private readonly deps: FriendServiceDeps) {}

  /** Sends a request, or accepts the target's pending request to us (both asked: they are friends). */
  async request(userId: string, input: CommandPayload<'friend:request'>): Promise<FriendRequest> {
    const { store, clock } = this.deps;
    if (input.userId === userId) throw new ParleyError('INVALID_ARGUMENT', 'userId: cannot befriend yourself');
    const target = await store.getUser(input.userId);
    if (!target || target.deletedAt !== null) throw new ParleyError('NOT_FOUND', 'user not found');
    const relation = await store.getRelation(userId, input.userId);
    if (relation.blockedBy) throw new ParleyError('FORBIDDEN', 'this user does not accept your requests');
    if (relation.blocking) throw new ParleyError('FORBIDDEN', 'you blocked this user; unblock them first');
    if (relation.friends) throw new ParleyError('CONFLICT', 'already friends');
    const theirs = await store.findPendingFriendRequest(input.userId, userId);
    if (theirs) return this.resolve(theirs.id, 'accepted');
    const record = await store.createFriendRequest({
      id: this.deps.ids.next(),
      fromUserId: userId,
      toUserId: input.userId,
      note: input.note || null,
      createdAt: clock.now(),
    });
    const request = await toFriendRequestView(store, record);
    this.deps.notifier.publish([userRoom(input.userId), userRoom(userId)], 'friend:request', { request });
    return request;
  }

  /** Only the request's target may answer it. */
  async respond(userId: string, input: CommandPayload<'friend:respond'>): Promise<FriendRequest> {
    const record = await this.deps.store.getFriendRequest(input.requestId);
    if (!record || record.toUserId !== userId) throw new ParleyError('NOT_FOUND', 'friend request not found');
    return this.resolve(record.id, input.accept ? 'accepted' : 'rejected');
  }

  /** Only the request's sender may withdraw it. */
  async cancel(userId: string, input: CommandPayload<'friend:cancel'>): Promise<void> {
    const record = await this.deps.store.getFriendRequest(input.requestId);
    if (!record || record.fromUserId !== userId) throw new ParleyError('NOT_FOUND', 'friend request not found');
    await this.resolve(record.id, 'cancelled');
  }

  async pending(userId: string): Promise<CommandResults['friend:requests']> {
    const views = await toFriendRequestViews(this.deps.store, await this.deps.store.listPendingFriendRequests(userId));
    return { incoming: views.filter((r) => r.toUserId === userId), outgoing: views.filter((r) => r.fromUserId === userId) };
  }

  async list(userId: string): Promise<CommandResults['friend:list']> {
    const { store, presence } = this.deps;
    const ids = await store.listFriendIds(userId);
    if (ids.length === 0) return { friends: [] };
    const [users, online] = await Promise.all([store.getUsers(ids), presence.query(ids)]);
    const userById = new Map(users.map((u) => [u.id, toUserView(u)]));
    const presenceById = new Map(online.map((p) => [p.userId, p]));
    return {
      friends: ids.flatMap((id) => {
        const user = userById.get(id);
        const p = presenceById.get(id);
        return user ? [{ user, online: p?.online ?? false, lastSeenAt: p?.lastSeenAt ?? null }] : [];
      }),
    };
  }

  async remove(userId: string, input: CommandPayload<'friend:remove'>): Promise<void> {
    if (!(await this.deps.store.removeFriendship(userId, input.userId))) {
      throw new ParleyError('NOT_FOUND', 'not friends');
    }
    await this.announceRemoval(userId, input.userId);
  }

  /**
   * Blocks a user: ends any friendship and withdraws pending friend requests
   * and group invitations between the two (quietly: the invitations just
   * stop being offered). Idempotent.
   */
  async block(userId: string, input: CommandPayload<'user:block'>): Promise<void> {
    const { store, clock } = this.deps;
    if (input.userId === userId) throw new ParleyError('INVALID_ARGUMENT', 'userId: cannot block yourself');
    // First, so no new request or message slips in while the rest is cleaned up.
    await store.addBlock(userId, input.userId, clock.now());
    if (await store.removeFriendship(userId, input.userId)) await this.announceRemoval(userId, input.userId);
    const pending = await Promise.all([
      store.findPendingFriendRequest(userId, input.userId),
      store.findPendingFriendRequest(input.userId, userId),
    ]);
    for (const record of pending) {
      if (record) await this.resolve(record.id, 'cancelled').catch(ignoreConflict);
    }
    await store.withdrawGroupInvitationsBetween(userId, input.userId, clock.now());
  }

  async unblock(userId: string, input: CommandPayload<'user:unblock'>): Promise<void> {
    if (!(await this.deps.store.removeBlock(userId, input.userId))) throw new ParleyError('NOT_FOUND', 'not blocked');
  }

  async blocked(userId: string): Promise<User[]> {
    const ids = await this.deps.store.listBlockedIds(userId);
    const users = new Map((await this.deps.store.getUsers(ids)).map((u) => [u.id, toUserView(u)]));
    return ids.flatMap((id) => users.get(id) ?? []);
  }

  private async resolve(requestId: string, status: 'accepted' | 'rejected' | 'cancelled'): Promise<FriendRequest> {
    const record = await this.deps.store.resolveFriendRequest(requestId, status, this.deps.clock.now());
    const request = await toFriendRequestView(this.deps.store, record);
    this.deps.notifier.publish([userRoom(record.fromUserId), userRoom(record.toUserId)], 'friend:update', { request });
    return request;
  }

  /** Each side is told the other one is gone. */
  /** Acknowledged only once every session of both sides has been told (a removal barrier). */
  private async announceRemoval(userId: string, otherId: string): Promise<void> {
    const { notifier } = this.deps;
    await Promise.all([
      notifier.publishConfirmed([userRoom(userId)], 'friend:update', { userId: otherId, removed: true }),
      notifier.publishConfirmed([userRoom(otherId)], 'friend:update', { userId, removed: true }),
    ]);
  }
}

function ignoreConflict(err: unknown): void {
  if (err instanceof ParleyError && err.code === 'CONFLICT') return;
  throw err;
}
