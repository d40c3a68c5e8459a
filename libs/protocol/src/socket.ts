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
import {
  conversationSettingsUpdateSchema,
  visibilitySchema,
  type ConversationSettings,
} from './notifications';
import { shownNameSchema } from './text-rules';
import { MENTION_ALL } from './models';

/** Socket.IO commands (client -> server, always acked) and their payload schemas. */
const id = z.string().min(1).max(64);
const seq = z.number().int().positive();
const cursor = z.number().int().min(0);

export const MAX_TEXT_LENGTH = 4000;
/** clientMsgIds of system messages (`sys:<ulid>`); reserved, clients may not use the prefix. */
export const SYSTEM_CLIENT_MSG_PREFIX = 'sys:';

export const messageTargetSchema = z.strictObject({ type: z.enum(['user', 'group']), id });
export type NewMessageTarget = z.infer<typeof messageTargetSchema>;

/** clientMsgIds of change entries (`chg:<ulid>`, made by the server); reserved like `sys:`. */
export const CHANGE_CLIENT_MSG_PREFIX = 'chg:';
/** At most this many users mentioned in one message. */
export const MAX_MENTIONS = 50;
export const MAX_CAPTION_LENGTH = 1000;

const clientMsgIdSchema = z
  .string()
  .min(1)
  .max(64)
  .refine(
    (v) => !v.startsWith(SYSTEM_CLIENT_MSG_PREFIX) && !v.startsWith(CHANGE_CLIENT_MSG_PREFIX),
    `must not start with "${SYSTEM_CLIENT_MSG_PREFIX}" or "${CHANGE_CLIENT_MSG_PREFIX}"`,
  );
const messageTextSchema = z.string().min(1).max(MAX_TEXT_LENGTH);
/** Mentioned user ids, or exactly ["@all"] (group owners and admins). */
const mentionsSchema = z
  .array(id)
  .min(1)
  .max(MAX_MENTIONS)
  .refine((ids) => !ids.includes(MENTION_ALL) || ids.length === 1, `"${MENTION_ALL}" stands alone`)
  .refine((ids) => new Set(ids).size === ids.length, 'duplicate user id');
const sendCommon = {
  to: messageTargetSchema,
  clientMsgId: clientMsgIdSchema,
  /** The id of a content message of the same conversation this one answers. */
  replyTo: id.optional(),
  mentions: mentionsSchema.optional(),
};

export const sendMessageSchema = z.discriminatedUnion('kind', [
  z.strictObject({ ...sendCommon, kind: z.literal('text'), body: z.strictObject({ text: messageTextSchema }) }),
  z.strictObject({
    ...sendCommon,
    kind: z.enum(['image', 'file']),
    /** `attachmentId`: the `uploadId` of a finished upload of the sender's, not yet sent in another message. */
    body: z.strictObject({ attachmentId: id, caption: z.string().min(1).max(MAX_CAPTION_LENGTH).optional() }),
  }),
]);
export type SendMessageInput = z.infer<typeof sendMessageSchema>;

export const messageIdSchema = z.strictObject({ messageId: id });
export type MessageIdInput = z.infer<typeof messageIdSchema>;

export const messageEditSchema = z.strictObject({ messageId: id, body: z.strictObject({ text: messageTextSchema }) });
export type MessageEditInput = z.infer<typeof messageEditSchema>;

/** One emoji (a grapheme with a pictographic character, up to 32 UTF-16 units: flags, skin tones, ZWJ sequences). */
export const emojiSchema = z
  .string()
  .min(1)
  .max(32)
  .refine((v) => /\p{Extended_Pictographic}|\p{Regional_Indicator}/u.test(v) && !/[\s\p{Cc}]/u.test(v), 'must be one emoji');

export const messageReactSchema = z.strictObject({ messageId: id, emoji: emojiSchema, on: z.boolean() });
export type MessageReactInput = z.infer<typeof messageReactSchema>;

export const MAX_SEARCH_QUERY_LENGTH = 100;
export const messageSearchSchema = z.strictObject({
  q: z
    .string()
    .max(MAX_SEARCH_QUERY_LENGTH)
    .transform((v) => v.normalize('NFKC').trim())
    .refine((v) => v.length > 0, 'must not be empty'),
  conversationId: z.string().min(1).max(160).optional(),
  limit: z.number().int().min(1).max(50).default(20),
  /** The `next` of the previous page: results older than it. */
  before: id.optional(),
});
export type MessageSearchInput = z.infer<typeof messageSearchSchema>;

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

/**
 * A page of a conversation's log as one user sees it. `messages`: in seq
 * order, content and change entries, without what is hidden from this user
 * (their deletions for themselves, another member's private entries), so a
 * seq missing inside a page is not a gap. `updates`: the current state of the
 * messages the page's change entries target that are not in the page
 * themselves (omitted when none). A type, not an interface: acks spread it
 * into a Record (an interface has no index signature).
 */
export type LogPage = {
  messages: Message[];
  hasMore: boolean;
  /**
   * The highest seq the page covers: every seq of its range up to here that
   * is not in `messages` is hidden from this user. A client moves its cursor
   * here (and acks it) even when the page is empty, e.g. when the
   * conversation's tail is another member's private entries.
   */
  throughSeq: number;
  updates?: Message[];
};

/** Results carried by successful acks, per command. */
export interface CommandResults {
  'message:send': { message: Message };
  /** `message`: the edited message as it is now. */
  'message:edit': { message: Message };
  'message:recall': Record<string, never>;
  'message:react': Record<string, never>;
  'message:delete': Record<string, never>;
  /** Newest first; `next` (when more) goes back as `before`. */
  'message:search': { results: { message: Message }[]; next?: string };
  /** Earlier texts of an edited message, oldest first (empty when never edited or recalled). */
  'message:versions': { versions: { text: string; editedAt: number }[] };
  sync: { conversations: ({ conversationId: string } & LogPage)[] };
  'history:fetch': LogPage;
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
  /** The caller's settings of the conversation, after the patch. */
  'conversation:settings': { settings: ConversationSettings };
  'presence:visibility': Record<string, never>;
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
  'message:edit': messageEditSchema,
  'message:recall': messageIdSchema,
  'message:react': messageReactSchema,
  'message:delete': messageIdSchema,
  'message:search': messageSearchSchema,
  'message:versions': messageIdSchema,
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
  'conversation:settings': conversationSettingsUpdateSchema,
  'presence:visibility': visibilitySchema,
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
  /**
   * A message changed (edited, recalled, reacted to; deleted, to the deleting
   * user's own sessions only): `message` is its state now, `entry` the
   * `change` entry of the log that did it (its seq, for clients that keep the
   * log in order).
   */
  'message:update': MessageUpdateEvent;
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
  /** The user's settings changed (on any device): to every session of the user. */
  'settings:update': { settings: UserSettings };
  /** The user's settings of a conversation changed (mute, notify, pin): to every session of the user. */
  'conversation:settings': { settings: ConversationSettings };
}
export type ServerEventName = keyof ServerEventPayloads;

/** Every server event, for code that must enumerate them (the relay's allow-list, the doc test). */
export const SERVER_EVENT_NAMES = Object.keys({
  'message:new': true,
  'message:update': true,
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
  'settings:update': true,
  'conversation:settings': true,
} satisfies Record<ServerEventName, true>) as ServerEventName[];

export interface MessageUpdateEvent {
  message: Message;
  entry: Message;
}

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
