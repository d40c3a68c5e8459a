import { z } from 'zod';
import type { SystemNotice } from './admin';
import type { ErrorBody } from './errors';
import type {
  ConversationSummary,
  Group,
  GroupMemberView,
  GroupRole,
  Message,
  PresenceInfo,
  User,
} from './models';
import {
  friendRequestInputSchema,
  groupInviteSchema,
  invitationResponseSchema,
  groupMemberTargetSchema,
  groupMuteSchema,
  groupSearchSchema,
  groupSetRoleSchema,
  groupUpdateSchema,
  requestIdSchema,
  requestResponseSchema,
  settingsUpdateSchema,
  userIdSchema,
  type FriendRequest,
  type FriendView,
  type GroupChange,
  type GroupInvitation,
  type GroupJoinRequest,
  type UserSettings,
} from './social';
import { shownNameSchema } from './text-rules';

/** Socket.IO commands (client -> server, always acked) and their payload schemas. */
const id = z.string().min(1).max(64);
const seq = z.number().int().positive();
const cursor = z.number().int().min(0);

export const MAX_TEXT_LENGTH = 4000;
/** clientMsgIds of system messages (`sys:<ulid>`); reserved, clients may not use the prefix. */
export const SYSTEM_CLIENT_MSG_PREFIX = 'sys:';

export const messageTargetSchema = z.strictObject({ type: z.enum(['user', 'group']), id });
export type NewMessageTarget = z.infer<typeof messageTargetSchema>;

export const sendMessageSchema = z.strictObject({
  to: messageTargetSchema,
  clientMsgId: z
    .string()
    .min(1)
    .max(64)
    .refine((v) => !v.startsWith(SYSTEM_CLIENT_MSG_PREFIX), `must not start with "${SYSTEM_CLIENT_MSG_PREFIX}"`),
  kind: z.literal('text'),
  body: z.strictObject({ text: z.string().min(1).max(MAX_TEXT_LENGTH) }),
});
export type SendMessageInput = z.infer<typeof sendMessageSchema>;

export const syncSchema = z.strictObject({
  since: z.record(z.string().max(160), cursor).optional(),
  limit: z.number().int().min(1).max(500).default(200),
});
export type SyncInput = z.infer<typeof syncSchema>;

export const historyFetchSchema = z.strictObject({
  conversationId: z.string().min(1).max(160),
  beforeSeq: seq.optional(),
  afterSeq: cursor.optional(),
  limit: z.number().int().min(1).max(500).default(50),
});
export type HistoryFetchInput = z.infer<typeof historyFetchSchema>;

export const cursorUpdateSchema = z.strictObject({
  conversationId: z.string().min(1).max(160),
  seq,
});
export type CursorUpdateInput = z.infer<typeof cursorUpdateSchema>;

export const emptySchema = z.strictObject({});

export const groupCreateSchema = z.strictObject({
  name: shownNameSchema(64),
  memberIds: z.array(id).max(500).optional(),
});
export type GroupCreateInput = z.infer<typeof groupCreateSchema>;

export const groupIdSchema = z.strictObject({ groupId: id });
export type GroupIdInput = z.infer<typeof groupIdSchema>;

export const presenceQuerySchema = z.strictObject({ userIds: z.array(id).min(1).max(200) });
export type PresenceQueryInput = z.infer<typeof presenceQuerySchema>;

export const typingSchema = z.strictObject({ conversationId: z.string().min(1).max(160) });
export type TypingInput = z.infer<typeof typingSchema>;

/** A fresh access token for the live socket, so it outlives the one it connected with (same user and session only). */
export const authRenewSchema = z.strictObject({ token: z.string().min(1).max(4096) });
export type AuthRenewInput = z.infer<typeof authRenewSchema>;

/**
 * Why a session's sockets were closed (`session:ended`). `refresh-reused`: a
 * rotated-away refresh token of the session was presented again (a copy is in
 * other hands), so the server ended it.
 */
export const sessionEndReasonSchema = z.enum([
  'expired',
  'logout',
  'logout-all',
  'password-changed',
  'account-deleted',
  'refresh-reused',
  /** An operator disconnected the user (admin API): they may sign in again. */
  'disconnected',
  /** An operator suspended the account: sign-in is refused until it is lifted. */
  'suspended',
]);
export type SessionEndReason = z.infer<typeof sessionEndReasonSchema>;

/** Results carried by successful acks, per command. */
export interface CommandResults {
  'message:send': { message: Message };
  sync: { conversations: { conversationId: string; messages: Message[]; hasMore: boolean }[] };
  'history:fetch': { messages: Message[]; hasMore: boolean };
  'message:ack': Record<string, never>;
  'conversation:read': Record<string, never>;
  'conversation:list': { conversations: ConversationSummary[] };
  /** `invitations`: invitees who were asked for consent instead of being added. */
  'group:create': { group: Group; invitations: GroupInvitation[] };
  'group:info': { group: Group; members: GroupMemberView[] };
  'presence:query': { presence: PresenceInfo[] };
  typing: Record<string, never>;
  'friend:request': { request: FriendRequest };
  'friend:respond': { request: FriendRequest };
  'friend:cancel': Record<string, never>;
  'friend:requests': { incoming: FriendRequest[]; outgoing: FriendRequest[] };
  'friend:list': { friends: FriendView[] };
  'friend:remove': Record<string, never>;
  'user:block': Record<string, never>;
  'user:unblock': Record<string, never>;
  'user:blocked': { users: User[] };
  'settings:get': { settings: UserSettings };
  'settings:update': { settings: UserSettings };
  'group:list': { groups: Group[] };
  /** Public groups by name; `memberOf`: the ids among them the caller already belongs to. */
  'group:search': { groups: Group[]; memberOf: string[] };
  /**
   * `added`: who became a member now; `requests`: invitations waiting for an
   * admin; `invitations`: invitees asked for their consent.
   */
  'group:invite': { group: Group; added: string[]; requests: GroupJoinRequest[]; invitations: GroupInvitation[] };
  /** The caller's pending invitations, newest first. */
  'group:invitations': { invitations: GroupInvitation[] };
  /** Accepting joins the group (`group`); declining only answers. */
  'group:invitation:respond': { invitation: GroupInvitation; group?: Group };
  /** The socket now runs on the new token; `expiresAt` is its expiry. */
  'auth:renew': { expiresAt: number };
  'group:join': { group: Group } | { request: GroupJoinRequest };
  'group:requests': { requests: GroupJoinRequest[] };
  'group:respond': { request: GroupJoinRequest };
  'group:leave': Record<string, never>;
  'group:kick': Record<string, never>;
  'group:setRole': Record<string, never>;
  'group:transfer': Record<string, never>;
  'group:mute': Record<string, never>;
  'group:update': { group: Group };
  'group:dissolve': Record<string, never>;
}

/** Payload schema of each command: the single source of truth for validation. */
export const COMMAND_SCHEMAS = {
  'message:send': sendMessageSchema,
  sync: syncSchema,
  'history:fetch': historyFetchSchema,
  'message:ack': cursorUpdateSchema,
  'conversation:read': cursorUpdateSchema,
  'conversation:list': emptySchema,
  'group:create': groupCreateSchema,
  'group:info': groupIdSchema,
  'presence:query': presenceQuerySchema,
  typing: typingSchema,
  'friend:request': friendRequestInputSchema,
  'friend:respond': requestResponseSchema,
  'friend:cancel': requestIdSchema,
  'friend:requests': emptySchema,
  'friend:list': emptySchema,
  'friend:remove': userIdSchema,
  'user:block': userIdSchema,
  'user:unblock': userIdSchema,
  'user:blocked': emptySchema,
  'settings:get': emptySchema,
  'settings:update': settingsUpdateSchema,
  'group:list': emptySchema,
  'group:search': groupSearchSchema,
  'group:invite': groupInviteSchema,
  'group:join': groupIdSchema,
  'group:requests': groupIdSchema,
  'group:respond': requestResponseSchema,
  'group:leave': groupIdSchema,
  'group:kick': groupMemberTargetSchema,
  'group:setRole': groupSetRoleSchema,
  'group:transfer': groupMemberTargetSchema,
  'group:mute': groupMuteSchema,
  'group:update': groupUpdateSchema,
  'group:dissolve': groupIdSchema,
  'group:invitations': emptySchema,
  'group:invitation:respond': invitationResponseSchema,
  'auth:renew': authRenewSchema,
} as const satisfies { [K in keyof CommandResults]: z.ZodType };

export type CommandName = keyof CommandResults;
export type CommandInput<K extends CommandName> = z.input<(typeof COMMAND_SCHEMAS)[K]>;
export type CommandPayload<K extends CommandName> = z.output<(typeof COMMAND_SCHEMAS)[K]>;
export type Ack<T> = ({ ok: true } & T) | { ok: false; error: ErrorBody };
export type AckCallback<K extends CommandName> = (ack: Ack<CommandResults[K]>) => void;

export type ClientToServerEvents = {
  [K in CommandName]: (payload: CommandInput<K>, ack: AckCallback<K>) => void;
};

/** Server -> client pushes. */
export interface ServerEventPayloads {
  'message:new': Message;
  'presence:update': PresenceInfo;
  'message:receipt': { conversationId: string; userId: string; readSeq: number };
  typing: { conversationId: string; userId: string };
  'group:update': GroupUpdateEvent;
  /** A group join request was made or answered: to the group's owner and admins, and to the user it concerns. */
  'group:request': { request: GroupJoinRequest };
  /** A friend request arrived: to its target. */
  'friend:request': { request: FriendRequest };
  /** A friend request was answered or cancelled (`{request}`), or a friendship ended (`{userId, removed}`). */
  'friend:update': { request: FriendRequest } | { userId: string; removed: true };
  'server:draining': { reconnectAfterMs: number };
  /** The node was cut off from every gateway for a while: pushes may have been missed; sync within `withinMs`. */
  'server:resync': { withinMs: number };
  /** An invitation was made (to the invitee) or answered (to the inviter). */
  'group:invitation': { invitation: GroupInvitation };
  /** This session ended (expired, logged out, password changed, account deleted): the server disconnects right after. */
  'session:ended': { reason: SessionEndReason };
  /** An operator's notice to everyone online (admin API), shown as a banner; not stored. */
  'system:notice': SystemNotice;
}
export type ServerEventName = keyof ServerEventPayloads;

/** Every server event, for code that must enumerate them (the relay's allow-list, the doc test). */
export const SERVER_EVENT_NAMES = Object.keys({
  'message:new': true,
  'presence:update': true,
  'message:receipt': true,
  typing: true,
  'group:update': true,
  'group:request': true,
  'friend:request': true,
  'friend:update': true,
  'server:draining': true,
  'server:resync': true,
  'group:invitation': true,
  'session:ended': true,
  'system:notice': true,
} satisfies Record<ServerEventName, true>) as ServerEventName[];

export interface GroupUpdateEvent {
  /** The group after the change (for `dissolved`, as it was). */
  group: Group;
  change: GroupChange;
  /** Who made the change. */
  actorId: string;
  /** Members the change is about: joined, left, kicked, role, transferred (the new owner), muted. */
  userIds?: string[];
  /** The new role (`role`). */
  role?: GroupRole;
  /** The end of the mute (`muted`); absent when a mute was lifted. */
  mutedUntil?: number;
}

export type ServerToClientEvents = {
  [K in ServerEventName]: (payload: ServerEventPayloads[K]) => void;
};

export const COMMAND_NAMES = Object.keys(COMMAND_SCHEMAS) as CommandName[];

/** Handshake auth failure message (PROTOCOL.md). */
export const HANDSHAKE_UNAUTHORIZED = 'UNAUTHORIZED';
