import { z } from 'zod';
import { notifyModeSchema } from './notifications';

/** Wire shapes of the objects clients see. Ids are strings, times epoch ms. */
export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  avatarUrl: z.string().optional(),
  bio: z.string().optional(),
});
export type User = z.infer<typeof userSchema>;

/**
 * `text`, `system`, `image` and `file` are content; `change` is a log entry
 * that changes an earlier message (edit, recall, reaction, delete for me):
 * see `change` on the message and docs/protocol.md "Changes are messages".
 */
export const messageKindSchema = z.enum(['text', 'system', 'image', 'file', 'change']);
export type MessageKind = z.infer<typeof messageKindSchema>;

/** What a system message (kind `system`) is about; clients may render `text` or build their own line from this. */
export const systemEventSchema = z.enum(['joined', 'left', 'kicked', 'renamed']);
export type SystemEvent = z.infer<typeof systemEventSchema>;

export const systemInfoSchema = z.object({
  event: systemEventSchema,
  /** Who caused it (the joiner, the leaver, the admin who kicked or renamed). */
  actorId: z.string(),
  /** Members the event is about (joined, left, kicked). */
  userIds: z.array(z.string()).optional(),
  /** The new name (renamed). */
  name: z.string().optional(),
});
export type SystemInfo = z.infer<typeof systemInfoSchema>;

/** An uploaded file as messages carry it: type and size measured by the server from the bytes, never taken from the client. */
export const attachmentSchema = z.object({
  id: z.string(),
  /** The file name the uploader gave (cleaned: no path, no control characters). */
  name: z.string(),
  /** Sniffed from the bytes (`application/octet-stream` when unknown). */
  mime: z.string(),
  size: z.number().int().nonnegative(),
  /** Images: pixel size after orientation. */
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  /** Images: a thumbnail exists (`GET /api/attachments/:id` answers its URL). */
  thumbnail: z.boolean().optional(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

/**
 * `text` is always present: the text, an attachment's caption (or ''), a
 * system line, '' for a recalled message or a change entry that carries none.
 */
export const messageBodySchema = z.object({
  text: z.string(),
  system: systemInfoSchema.optional(),
  /** Kinds `image` and `file`. */
  attachment: attachmentSchema.optional(),
  /** Kinds `image` and `file`: the caption given (also in `text`). */
  caption: z.string().optional(),
});
export type MessageBody = z.infer<typeof messageBodySchema>;

export const changeTypeSchema = z.enum(['edit', 'recall', 'reaction', 'delete']);
export type ChangeType = z.infer<typeof changeTypeSchema>;

/** What a `change` entry does to its target (`messageId`, a content message of the same conversation). */
export const messageChangeSchema = z.object({
  type: changeTypeSchema,
  messageId: z.string(),
  /** `reaction`: the emoji toggled, and whether it was put on or taken off. */
  emoji: z.string().optional(),
  on: z.boolean().optional(),
});
export type MessageChange = z.infer<typeof messageChangeSchema>;

export const reactionSchema = z.object({ emoji: z.string(), userIds: z.array(z.string()) });
export type Reaction = z.infer<typeof reactionSchema>;

/** A reply's view of the message it answers, read from the target's current state (a recalled target shows `recalled`). */
export const quoteSchema = z.object({
  messageId: z.string(),
  senderId: z.string(),
  kind: messageKindSchema,
  /** The target's text cut to QUOTE_SNIPPET_LENGTH characters ('' once recalled). */
  text: z.string(),
  attachment: attachmentSchema.optional(),
  recalled: z.boolean().optional(),
});
export type Quote = z.infer<typeof quoteSchema>;

/** The longest snippet of a replied-to message carried in `quote.text`. */
export const QUOTE_SNIPPET_LENGTH = 140;
/** The mention that notifies every member of a group (owners and admins only). */
export const MENTION_ALL = '@all';

export const messageSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  seq: z.number().int().positive(),
  senderId: z.string(),
  kind: messageKindSchema,
  body: messageBodySchema,
  clientMsgId: z.string(),
  createdAt: z.number(),
  /** The id of the message this one answers (same conversation). */
  replyTo: z.string().optional(),
  /** The answered message as it is now. */
  quote: quoteSchema.optional(),
  /** User ids mentioned, or [MENTION_ALL]. */
  mentions: z.array(z.string()).optional(),
  /** Set once the sender edited the text (the time of the latest edit). */
  editedAt: z.number().optional(),
  /** A recalled message: its body is gone from the store (`body.text` is ''), a tombstone. */
  recalled: z.boolean().optional(),
  /** Reactions in the order they first appeared; each emoji's users in the order they reacted. */
  reactions: z.array(reactionSchema).optional(),
  /** Kind `change` only: what the entry does to which message. */
  change: messageChangeSchema.optional(),
  /** Only in the deleting user's own `message:update` after a `message:delete`: gone from their views. */
  deleted: z.boolean().optional(),
});
export type Message = z.infer<typeof messageSchema>;

/** Kinds a user reads: counted as unread, shown as a conversation's last message, searchable. */
export function isContentKind(kind: MessageKind): boolean {
  return kind !== 'change';
}

export const groupRoleSchema = z.enum(['owner', 'admin', 'member']);
export type GroupRole = z.infer<typeof groupRoleSchema>;

export const groupSchema = z.object({
  id: z.string(),
  name: z.string(),
  ownerId: z.string(),
  announcement: z.string().optional(),
  muteAll: z.boolean(),
  /** Anyone may ask to join with `group:join`. */
  isPublic: z.boolean(),
  /** Joins by non-admins (a member's invite, a `group:join`) wait for an owner's or admin's approval. */
  joinApproval: z.boolean(),
  memberCount: z.number().int(),
  createdAt: z.number(),
});
export type Group = z.infer<typeof groupSchema>;

export const groupMemberViewSchema = z.object({
  user: userSchema,
  role: groupRoleSchema,
  online: z.boolean(),
  /** Present while the member is muted: they may post again from this time. */
  mutedUntil: z.number().optional(),
});
export type GroupMemberView = z.infer<typeof groupMemberViewSchema>;

export const conversationTypeSchema = z.enum(['direct', 'group']);
export type ConversationType = z.infer<typeof conversationTypeSchema>;

export const conversationSummarySchema = z.object({
  conversationId: z.string(),
  type: conversationTypeSchema,
  peer: userSchema.optional(),
  group: groupSchema.optional(),
  lastMessage: messageSchema.nullable(),
  lastSeq: z.number().int(),
  readSeq: z.number().int(),
  /** Direct conversations: how far the peer has read (the "seen" mark). */
  peerReadSeq: z.number().int().optional(),
  /** Content messages after readSeq from others (change entries do not count); at most 1000 (show "999+"). */
  unread: z.number().int(),
  /** An unread message mentions the user (or @all): the "@" marker. */
  mentioned: z.boolean(),
  /** The user's notification and pin settings of this conversation (`conversation:settings`). */
  notify: notifyModeSchema,
  mutedUntil: z.number().int().nullable(),
  /** Pinned conversations come first in `conversation:list`, the latest pin first. */
  pinnedAt: z.number().int().nullable(),
});
export type ConversationSummary = z.infer<typeof conversationSummarySchema>;

export const presenceSchema = z.object({
  userId: z.string(),
  online: z.boolean(),
  lastSeenAt: z.number().nullable(),
});
export type PresenceInfo = z.infer<typeof presenceSchema>;
