import type { ChangeType, ConversationType, Message, MessageBody, MessageKind, NotifyMode } from '@parley/protocol';

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
  /** A content message of the same conversation (checked by the domain before). */
  replyTo?: string;
  /** User ids, or [MENTION_ALL] (checked by the domain before). */
  mentions?: string[];
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
  /** The member's notification and pin settings of the conversation (`conversation:settings`). */
  notify: NotifyMode;
  mutedUntil: number | null;
  pinnedAt: number | null;
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
 * A change to an earlier message, stored as a `change` entry with the
 * conversation's next seq, in the same transaction as the target's new state.
 */
export interface NewChange {
  /** The entry's id (its clientMsgId is `chg:<id>`). */
  id: string;
  conversationId: string;
  actorId: string;
  targetId: string;
  type: ChangeType;
  createdAt: number;
  /** `edit`: the new text (already screened). */
  text?: string;
  /** `reaction`: the emoji and whether it goes on or off. */
  emoji?: string;
  on?: boolean;
}

export interface ChangeResult {
  /**
   * The entry appended, or null when the change changed nothing (an edit to
   * the same text, a reaction already in that state, a recall or a delete
   * done before): no entry, no push.
   */
  entry: Message | null;
  /** The target's state after the change as the actor sees it (`delete`: with `deleted: true`). */
  target: Message;
  /** `recall` of an image or file: the upload whose bytes must now be removed. */
  removedUploadId?: string;
}

/** What a conversation list needs of one conversation, as one member sees it. */
export interface ConversationDigest {
  conversationId: string;
  /** The newest content message the member can see (its current state), or null. */
  lastMessage: Message | null;
  /** Content messages after the member's readSeq, from others, not hidden from them, not recalled; at most 1000. */
  unread: number;
  /** One of those mentions the member or @all. */
  mentioned: boolean;
}

export interface MessageSearchQuery {
  /** NFKC-normalized, trimmed, non-empty; matched as a substring, case-insensitively. */
  q: string;
  conversationId?: string;
  /** Results older than this message id (ids grow with time). */
  beforeId?: string;
  limit: number;
}

/** One earlier text of an edited message. */
export interface MessageVersion {
  text: string;
  /** When this text was replaced. */
  editedAt: number;
}

/** Conversations, their seq'd messages and each member's cursors. */
export interface MessageStore {
  /**
   * Stores a message with the conversation's next seq, allocated atomically in
   * the same transaction, creating the conversation (and its members) if new.
   * Idempotent on (senderId, clientMsgId).
   */
  appendMessage(message: NewMessage): Promise<AppendResult>;
  /**
   * Every read of messages below answers them as `viewerId` sees them: their
   * current state (edited text, tombstone once recalled, reactions, the quote
   * of a reply), without entries and messages hidden from the viewer (their
   * own deletions; another member's `delete` entries).
   */
  getMessages(viewerId: string, conversationId: string, range: MessageRange): Promise<Message[]>;
  /**
   * For each conversation, its first `limit` messages after `afterSeq`, in
   * seq order: what `sync` needs, in one read rather than one per
   * conversation. Answers one list per entry, in the entries' order.
   */
  getMessagesAfter(viewerId: string, ranges: readonly { conversationId: string; afterSeq: number }[], limit: number): Promise<Message[][]>;
  /** Messages by id as the viewer sees them (missing and hidden ones left out), in no particular order. */
  getMessagesByIds(viewerId: string, ids: readonly string[]): Promise<Message[]>;
  /**
   * One message in its current state and whether the actor deleted it for
   * themselves (a second delete is then a no-op), whatever their membership:
   * the caller checks that. Null when missing or another member's delete entry.
   */
  getMessageForActor(actorId: string, messageId: string): Promise<{ message: Message; hiddenForActor: boolean } | null>;
  /** The message a sender stored under a clientMsgId, if any (answers retries), in its current state. */
  findMessageByClientMsgId(senderId: string, clientMsgId: string): Promise<Message | null>;
  /** One digest per entry (the viewer's readSeq of each), in the entries' order. */
  getConversationDigests(viewerId: string, entries: readonly { conversationId: string; readSeq: number }[]): Promise<ConversationDigest[]>;
  /**
   * Applies a change atomically: the entry with the next seq and the target's
   * new state together. StoreError `message-not-found` when the target is not
   * a content message of the conversation (or is hidden from the actor),
   * `message-recalled` for an edit or reaction to a recalled message,
   * `not-editable` for an edit of anything but a text message,
   * `too-many-reactions` past the per-message limits. A recall removes the
   * body, the earlier versions, the edit entries' texts, the reactions and
   * the mentions; the entries stay (as tombstones' history).
   */
  applyChange(change: NewChange): Promise<ChangeResult>;
  /** Earlier texts of a message, oldest first. */
  getMessageVersions(messageId: string): Promise<MessageVersion[]>;
  /**
   * Content messages matching `q` in the conversations the viewer belongs to
   * (or the one given, if they belong to it), newest first, at most `limit`;
   * recalled and hidden ones never. Bounded: within one conversation its
   * newest 50,000 seqs are searched; globally at most 5,000 candidates (the
   * index's matches, or for a query too short for it the messages, of the
   * viewer's conversations, newest first) are tested, so a rare match
   * older than those is not found (beforeId moves the window back).
   */
  searchMessages(viewerId: string, query: MessageSearchQuery): Promise<Message[]>;
  listMemberConversations(userId: string): Promise<MemberConversation[]>;
  getMemberConversation(userId: string, conversationId: string): Promise<MemberConversation | null>;
  /**
   * Moves a cursor forward only (max of old and new, capped at the last seq);
   * `read` moves the delivered cursor along with it. StoreError
   * `not-in-conversation` when the user is not a member.
   */
  advanceCursor(userId: string, conversationId: string, kind: CursorKind, seq: number): Promise<void>;
}
