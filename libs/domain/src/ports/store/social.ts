import type { UserRecord } from './users';

/** How `userId` stands towards `otherId`. */
export interface UserRelation {
  friends: boolean;
  /** userId blocked otherId. */
  blocking: boolean;
  /** otherId blocked userId. */
  blockedBy: boolean;
}

/** How `userId` stands towards one of several others, with what the two share (listPeerRelations). */
export interface PeerRelation extends UserRelation {
  /** The other user. */
  peerId: string;
  /** Both are members of one direct conversation (it exists once either wrote to the other). */
  direct: boolean;
  /** Both are members of at least one same group. */
  sharedGroup: boolean;
}

/** Everything a direct message's authorization needs about its recipient. */
export interface DirectContext {
  recipient: UserRecord;
  /** From the sender's side: `blocking` = the sender blocked the recipient. */
  relation: UserRelation;
}

/**
 * The social graph: friendships and blocks, and how users relate. Friendships
 * begin when a friend request is accepted (RequestStore.resolveFriendRequest).
 */
export interface SocialStore {
  /** Friend ids of the user, friends-since order. */
  listFriendIds(userId: string): Promise<string[]>;
  /** Ends a friendship both ways; false if they were not friends. */
  removeFriendship(userId: string, otherId: string): Promise<boolean>;
  getRelation(userId: string, otherId: string): Promise<UserRelation>;
  /** The recipient and the sender's relation to them in one read; null for an unknown recipient. */
  getDirectContext(senderId: string, recipientId: string): Promise<DirectContext | null>;
  /** Idempotent; false if the block existed already. NOT_FOUND for unknown users. */
  addBlock(blockerId: string, blockedId: string, at: number): Promise<boolean>;
  /** false if there was no such block. */
  removeBlock(blockerId: string, blockedId: string): Promise<boolean>;
  listBlockedIds(blockerId: string): Promise<string[]>;
  /** Those of `userIds` who blocked `blockedId`. */
  listBlockersAmong(blockedId: string, userIds: readonly string[]): Promise<string[]>;
  /** `userId`'s relation to each of `otherIds` in one read, by peer id; unknown ids are left out. */
  listPeerRelations(userId: string, otherIds: readonly string[]): Promise<PeerRelation[]>;
}
