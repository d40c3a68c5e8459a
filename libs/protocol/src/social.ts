import { z } from 'zod';
import { groupRoleSchema, groupSchema, userSchema } from './models';
import { dndSchema } from './notifications';
import { shownNameSchema } from './text-rules';

/** Wire shapes and command payloads of the social layer: friends, blocks, settings, group administration. */
const id = z.string().min(1).max(64);

export const requestStatusSchema = z.enum(['pending', 'accepted', 'rejected', 'cancelled']);
export type RequestStatus = z.infer<typeof requestStatusSchema>;

export const friendRequestSchema = z.object({
  id: z.string(),
  fromUserId: z.string(),
  toUserId: z.string(),
  /** Both parties, so a client can show the request without another lookup. */
  fromUser: userSchema,
  toUser: userSchema,
  note: z.string().optional(),
  status: requestStatusSchema,
  createdAt: z.number(),
});
export type FriendRequest = z.infer<typeof friendRequestSchema>;

export const friendViewSchema = z.object({
  user: userSchema,
  online: z.boolean(),
  lastSeenAt: z.number().nullable(),
});
export type FriendView = z.infer<typeof friendViewSchema>;

export const groupJoinRequestSchema = z.object({
  id: z.string(),
  groupId: z.string(),
  /** Who would join. */
  user: userSchema,
  /** The member who invited them; absent when they asked themselves (`group:join`). */
  inviterId: z.string().optional(),
  status: requestStatusSchema,
  createdAt: z.number(),
});
export type GroupJoinRequest = z.infer<typeof groupJoinRequestSchema>;

export const dmPolicySchema = z.enum(['friends', 'anyone']);
export type DmPolicy = z.infer<typeof dmPolicySchema>;

/**
 * How group invitations reach this user: `friends` adds them directly when a
 * friend invites and asks them otherwise; `ask` asks them every time.
 */
export const groupInvitePolicySchema = z.enum(['friends', 'ask']);
export type GroupInvitePolicy = z.infer<typeof groupInvitePolicySchema>;

export const userSettingsSchema = z.object({
  /** Who may start or continue a direct chat with this user. @default 'friends' */
  dmPolicy: dmPolicySchema,
  /** Which group invitations wait for this user's consent. @default 'friends' */
  groupInvites: groupInvitePolicySchema,
  /** Pushes show the sender and the text (else only that a message came). @default false */
  previews: z.boolean(),
  /** Do-not-disturb hours: no pushes then. @default null */
  dnd: dndSchema.nullable(),
});
export type UserSettings = z.infer<typeof userSettingsSchema>;

/** What a `group:update` event reports. */
export const groupChangeSchema = z.enum([
  'created',
  'joined',
  'left',
  'kicked',
  'role',
  'transferred',
  'muted',
  'updated',
  'dissolved',
]);
export type GroupChange = z.infer<typeof groupChangeSchema>;

/**
 * An invitation into a group waiting for the invitee's consent (made when
 * the inviter is not their friend, or the invitee asks for every one).
 */
export const groupInvitationSchema = z.object({
  id: z.string(),
  group: groupSchema,
  inviter: userSchema,
  inviteeId: z.string(),
  status: requestStatusSchema,
  createdAt: z.number(),
});
export type GroupInvitation = z.infer<typeof groupInvitationSchema>;

// ---- command payloads

export const invitationResponseSchema = z.strictObject({ invitationId: id, accept: z.boolean() });

export const friendRequestInputSchema = z.strictObject({ userId: id, note: z.string().trim().max(200).optional() });
export const requestResponseSchema = z.strictObject({ requestId: id, accept: z.boolean() });
export const requestIdSchema = z.strictObject({ requestId: id });
export const userIdSchema = z.strictObject({ userId: id });
export const settingsUpdateSchema = z.strictObject({
  dmPolicy: dmPolicySchema.optional(),
  groupInvites: groupInvitePolicySchema.optional(),
  previews: z.boolean().optional(),
  /** null turns do-not-disturb off. */
  dnd: dndSchema.nullable().optional(),
});

export const groupSearchSchema = z.strictObject({
  q: z.string().trim().min(1).max(64),
  limit: z.number().int().min(1).max(50).default(20),
  offset: z.number().int().min(0).default(0),
});
export const groupInviteSchema = z.strictObject({ groupId: id, userIds: z.array(id).min(1).max(500) });
export const groupMemberTargetSchema = z.strictObject({ groupId: id, userId: id });
export const groupSetRoleSchema = z.strictObject({
  groupId: id,
  userId: id,
  role: groupRoleSchema.exclude(['owner']),
});
export const groupMuteSchema = z.strictObject({
  groupId: id,
  userId: id,
  /** Epoch ms; a time in the past (e.g. 0) lifts the mute. */
  untilMs: z.number().int().min(0),
});
export const groupUpdateSchema = z
  .strictObject({
    groupId: id,
    name: shownNameSchema(64).optional(),
    announcement: z.string().max(2000).optional(),
    muteAll: z.boolean().optional(),
    isPublic: z.boolean().optional(),
    joinApproval: z.boolean().optional(),
  })
  .refine((p) => Object.keys(p).length > 1, { message: 'nothing to update', path: ['groupId'] });
