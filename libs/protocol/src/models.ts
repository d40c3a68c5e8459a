import { z } from 'zod';

/** Wire shapes of the objects clients see. Ids are strings, times epoch ms. */
export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  avatarUrl: z.string().optional(),
  bio: z.string().optional(),
});
export type User = z.infer<typeof userSchema>;

export const messageKindSchema = z.enum(['text', 'system']);
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

export const messageBodySchema = z.object({ text: z.string(), system: systemInfoSchema.optional() });
export type MessageBody = z.infer<typeof messageBodySchema>;

export const messageSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  seq: z.number().int().positive(),
  senderId: z.string(),
  kind: messageKindSchema,
  body: messageBodySchema,
  clientMsgId: z.string(),
  createdAt: z.number(),
});
export type Message = z.infer<typeof messageSchema>;

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
  unread: z.number().int(),
});
export type ConversationSummary = z.infer<typeof conversationSummarySchema>;

export const presenceSchema = z.object({
  userId: z.string(),
  online: z.boolean(),
  lastSeenAt: z.number().nullable(),
});
export type PresenceInfo = z.infer<typeof presenceSchema>;
