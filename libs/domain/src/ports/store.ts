import type { ConversationType, GroupRole, Message, MessageBody, MessageKind } from '@parley/protocol';

/** What the store keeps of a user; the password hash never leaves the domain. */
export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  bio: string | null;
  passwordHash: string;
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
}

export interface GroupRecord {
  id: string;
  name: string;
  ownerId: string;
  announcement: string | null;
  muteAll: boolean;
  memberCount: number;
  createdAt: number;
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
  listGroupMembers(groupId: string): Promise<GroupMemberRecord[]>;
  listUserGroupIds(userId: string): Promise<string[]>;

  /**
   * Stores a message with the conversation's next seq, allocated atomically in
   * the same transaction, creating the conversation (and its members) if new.
   * Idempotent on (senderId, clientMsgId).
   */
  appendMessage(message: NewMessage): Promise<AppendResult>;
  getMessages(conversationId: string, range: MessageRange): Promise<Message[]>;
  getLastMessages(conversationIds: readonly string[]): Promise<Message[]>;
  listMemberConversations(userId: string): Promise<MemberConversation[]>;
  getMemberConversation(userId: string, conversationId: string): Promise<MemberConversation | null>;
  /** Moves a cursor forward only (max of old and new, capped at the last seq). */
  advanceCursor(userId: string, conversationId: string, kind: CursorKind, seq: number): Promise<void>;
}
