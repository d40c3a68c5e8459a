import type { ConversationType, Message, MessageBody, MessageKind } from '@parley/protocol';

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

/** Conversations, their seq'd messages and each member's cursors. */
export interface MessageStore {
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
   * `read` moves the delivered cursor along with it. StoreError
   * `not-in-conversation` when the user is not a member.
   */
  advanceCursor(userId: string, conversationId: string, kind: CursorKind, seq: number): Promise<void>;
}
