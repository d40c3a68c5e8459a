import type {
  ConversationType,
  DmPolicy,
  GroupRole,
  Message,
  MessageBody,
  MessageKind,
  RequestStatus,
} from '@parley/protocol';

/** What the store keeps of a user; the password hash never leaves the domain. */
export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  bio: string | null;
  passwordHash: string;
  /** Who may message this user directly (default `friends`). */
  dmPolicy: DmPolicy;
  createdAt: number;
}

export interface NewUser {
  id: string;
  username: string;
  displayName: string;
  passwordHash: string;
  createdAt: number;
}

export interface ProfilePatch {
  displayName?: string;
  avatarUrl?: string | null;
  bio?: string | null;
  dmPolicy?: DmPolicy;
}

export interface GroupRecord {
  id: string;
  name: string;
  ownerId: string;
  announcement: string | null;
  muteAll: boolean;
  isPublic: boolean;
  joinApproval: boolean;
  memberCount: number;
  createdAt: number;
}

export interface GroupPatch {
  name?: string;
  announcement?: string | null;
  muteAll?: boolean;
  isPublic?: boolean;
  joinApproval?: boolean;
}

export interface NewGroup {
  id: string;
  name: string;
  ownerId: string;
  /** Members besides the owner; the owner is added with role `owner`. */
  memberIds: string[];
  createdAt: number;
}

export interface GroupMemberRecord {
  groupId: string;
  userId: string;
  role: GroupRole;
  joinedAt: number;
  /** The member may not post before this time; null when not muted. */
  mutedUntil: number | null;
}

export interface FriendRequestRecord {
  id: string;
  fromUserId: string;
  toUserId: string;
  note: string | null;
  status: RequestStatus;
  createdAt: number;
  updatedAt: number;
}

export type NewFriendRequest = Omit<FriendRequestRecord, 'status' | 'updatedAt'>;

export interface GroupJoinRequestRecord {
  id: string;
  groupId: string;
  userId: string;
  /** The member who invited; null when the user asked to join. */
  inviterId: string | null;
  status: RequestStatus;
  createdAt: number;
  updatedAt: number;
}

export type NewGroupJoinRequest = Omit<GroupJoinRequestRecord, 'status' | 'updatedAt'>;

/** What posting to a group needs to authorize. */
export interface GroupPostContext {
  muteAll: boolean;
  /** The poster's membership; null when not a member. */
  member: GroupMemberRecord | null;
}

/** Everything a direct message's authorization needs about its recipient. */
export interface DirectContext {
  recipient: UserRecord;
  /** From the sender's side: `blocking` = the sender blocked the recipient. */
  relation: UserRelation;
}

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

export interface NewMessage {
  id: string;
  conversationId: string;
  conversationType: ConversationType;
  /** Members to attach when the conversation is created by this message (direct chats). */
  memberIds: string[];
  senderId: string;
  kind: MessageKind;
  body: MessageBody;
  clientMsgId: string;
  createdAt: number;
}

export interface AppendResult {
  message: Message;
  /** True when (senderId, clientMsgId) was already stored: `message` is the original. */
  duplicate: boolean;
}

/** One conversation as seen by one member, with that member's cursors. */
export interface MemberConversation {
  conversationId: string;
  type: ConversationType;
  groupId: string | null;
  /** The other user of a direct conversation. */
  peerId: string | null;
  /** How far the other user of a direct conversation has read ("seen"). */
  peerReadSeq: number | null;
  lastSeq: number;
  deliveredSeq: number;
  readSeq: number;
  lastMessageAt: number | null;
}

export interface MessageRange {
  /** Exclusive lower bound. */
  afterSeq?: number;
  /** Exclusive upper bound. */
  beforeSeq?: number;
  limit: number;
  /** With only beforeSeq: newest first internally, returned ascending. */
}

export type CursorKind = 'delivered' | 'read';

/**
 * The durable store. Every method is atomic; adapters map unreachable
 * databases to ParleyError('UNAVAILABLE') and constraint clashes to typed errors.
 */
export interface Store {
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Cheap round trip used by health checks. */
  ping(): Promise<void>;

  createUser(user: NewUser): Promise<UserRecord>;
  getUser(id: string): Promise<UserRecord | null>;
  getUsers(ids: readonly string[]): Promise<UserRecord[]>;
  findUserByUsername(username: string): Promise<UserRecord | null>;
  searchUsers(query: string, limit: number, offset: number): Promise<UserRecord[]>;
  updateProfile(id: string, patch: ProfilePatch): Promise<UserRecord>;

  createGroup(group: NewGroup): Promise<GroupRecord>;
  getGroup(id: string): Promise<GroupRecord | null>;
  getGroupMember(groupId: string, userId: string): Promise<GroupMemberRecord | null>;
  /** Mute-all and `userId`'s membership in one read, for a post; null when the group does not exist. */
  getGroupPostContext(groupId: string, userId: string): Promise<GroupPostContext | null>;
  listGroupMembers(groupId: string): Promise<GroupMemberRecord[]>;
  listUserGroupIds(userId: string): Promise<string[]>;
  /** The user's groups, by name. */
  listUserGroups(userId: string): Promise<GroupRecord[]>;
  /**
   * Public groups whose name contains `query` (case-insensitive; `%` and `_`
   * match themselves), by name then id. Private groups never appear.
   */
  searchPublicGroups(query: string, limit: number, offset: number): Promise<GroupRecord[]>;
  /** NOT_FOUND for an unknown group; returns the group after the change. */
  updateGroup(groupId: string, patch: GroupPatch): Promise<GroupRecord>;
  /** Deletes the group with its members, requests, conversation and messages; false if it did not exist. */
  deleteGroup(groupId: string): Promise<boolean>;
  /**
   * Adds users as `member`s with their group-conversation cursors at the
   * current last seq (nothing unread; older history stays readable). Existing
   * members are skipped; returns the ids actually added. Atomic, and refuses
   * with CONFLICT when the group would exceed `maxMembers`; NOT_FOUND for an
   * unknown group or user.
   */
  addGroupMembers(groupId: string, userIds: readonly string[], joinedAt: number, maxMembers: number): Promise<string[]>;
  /** Removes a member and their conversation membership; false if they were not a member. */
  removeGroupMember(groupId: string, userId: string): Promise<boolean>;
  /** NOT_FOUND when not a member. */
  setGroupMemberRole(groupId: string, userId: string, role: Exclude<GroupRole, 'owner'>): Promise<void>;
  /** Atomically: the owner becomes an admin, `toUserId` the owner. NOT_FOUND when either is not a member. */
  transferGroupOwnership(groupId: string, fromUserId: string, toUserId: string): Promise<void>;
  /** null lifts the mute. NOT_FOUND when not a member. */
  setGroupMemberMute(groupId: string, userId: string, mutedUntil: number | null): Promise<void>;

  /** Creates a pending join request, or returns the one already pending for (group, user) with created=false. */
  createGroupJoinRequest(request: NewGroupJoinRequest): Promise<{ request: GroupJoinRequestRecord; created: boolean }>;
  getGroupJoinRequest(id: string): Promise<GroupJoinRequestRecord | null>;
  /** Pending requests of a group, oldest first. */
  listGroupJoinRequests(groupId: string): Promise<GroupJoinRequestRecord[]>;
  /** Moves a pending request to `status`; CONFLICT when it is no longer pending, NOT_FOUND when unknown. */
  resolveGroupJoinRequest(id: string, status: Exclude<RequestStatus, 'pending'>, at: number): Promise<GroupJoinRequestRecord>;

  /** CONFLICT when a request from the same user to the same user is already pending; NOT_FOUND for unknown users. */
  createFriendRequest(request: NewFriendRequest): Promise<FriendRequestRecord>;
  getFriendRequest(id: string): Promise<FriendRequestRecord | null>;
  /** The pending request from one user to another, if any. */
  findPendingFriendRequest(fromUserId: string, toUserId: string): Promise<FriendRequestRecord | null>;
  /** Pending requests from or to the user, oldest first. */
  listPendingFriendRequests(userId: string): Promise<FriendRequestRecord[]>;
  /**
   * Moves a pending request to `status`, and on `accepted` makes both users
   * friends, in one transaction. CONFLICT when it is no longer pending,
   * NOT_FOUND when unknown.
   */
  resolveFriendRequest(id: string, status: Exclude<RequestStatus, 'pending'>, at: number): Promise<FriendRequestRecord>;
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

  /**
   * Stores a message with the conversation's next seq, allocated atomically in
   * the same transaction, creating the conversation (and its members) if new.
   * Idempotent on (senderId, clientMsgId).
   */
  appendMessage(message: NewMessage): Promise<AppendResult>;
  getMessages(conversationId: string, range: MessageRange): Promise<Message[]>;
  /**
   * For each conversation, its first `limit` messages after `afterSeq`, in
   * seq order: what `sync` needs, in one read rather than one per
   * conversation. Answers one list per entry, in the entries' order.
   */
  getMessagesAfter(ranges: readonly { conversationId: string; afterSeq: number }[], limit: number): Promise<Message[][]>;
  /** The message a sender stored under a clientMsgId, if any (answers retries). */
  findMessageByClientMsgId(senderId: string, clientMsgId: string): Promise<Message | null>;
  getLastMessages(conversationIds: readonly string[]): Promise<Message[]>;
  listMemberConversations(userId: string): Promise<MemberConversation[]>;
  getMemberConversation(userId: string, conversationId: string): Promise<MemberConversation | null>;
  /**
   * Moves a cursor forward only (max of old and new, capped at the last seq);
   * `read` moves the delivered cursor along with it.
   */
  advanceCursor(userId: string, conversationId: string, kind: CursorKind, seq: number): Promise<void>;
}
