import type { FriendRequest } from '@parley/protocol';
import { toUserView } from '../accounts/user-view';
import type { FriendRequestRecord, UserStore } from '../ports';

/** Wire views of friend requests, with both parties' public profiles (one user lookup for all). */
export async function toFriendRequestViews(store: UserStore, records: readonly FriendRequestRecord[]): Promise<FriendRequest[]> {
  const ids = [...new Set(records.flatMap((r) => [r.fromUserId, r.toUserId]))];
  const users = new Map((await store.getUsers(ids)).map((u) => [u.id, toUserView(u)]));
  return records.flatMap((r) => {
    const fromUser = users.get(r.fromUserId);
    const toUser = users.get(r.toUserId);
    if (!fromUser || !toUser) return [];
    const view: FriendRequest = {
      id: r.id,
      fromUserId: r.fromUserId,
      toUserId: r.toUserId,
      fromUser,
      toUser,
      status: r.status,
      createdAt: r.createdAt,
    };
    if (r.note) view.note = r.note;
    return [view];
  });
}

export async function toFriendRequestView(store: UserStore, record: FriendRequestRecord): Promise<FriendRequest> {
  const [view] = await toFriendRequestViews(store, [record]);
  if (!view) throw new Error(`friend request ${record.id} names an unknown user`);
  return view;
}
