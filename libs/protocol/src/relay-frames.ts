import { z } from 'zod';
import { groupRoom, parseConversationId, userRoom, type RoomName } from './ids';
import { groupRoleSchema, groupSchema, messageSchema, presenceSchema } from './models';
import { friendRequestSchema, groupChangeSchema, groupInvitationSchema, groupJoinRequestSchema, userSettingsSchema } from './social';
import { conversationSettingsSchema } from './notifications';
import { sessionEndReasonSchema, type ServerEventName, type ServerEventPayloads, type SessionEndReason } from './socket';

/**
 * Relay frames: what one IM node sends another through a gateway. A frame
 * arriving from the relay is untrusted input: `decodeRelayFrame` turns it into
 * one typed `RelayFrame` or a rejection reason, with the payload validated by
 * the same zod schemas as the wire models clients see.
 */

export type UserRoomName = Extract<RoomName, `user:${string}`>;
export type GroupRoomName = Extract<RoomName, `group:${string}`>;

/** What may follow `user:` / `group:` in a room name. */
const ROOM_KEY = '[A-Za-z0-9_-]{1,64}';
const ROOM_PATTERN = new RegExp(`^(user|group):${ROOM_KEY}$`);

export function isRoomName(name: string): name is RoomName {
  return ROOM_PATTERN.test(name);
}

/** Limits a relayed frame must respect; a frame over one is rejected, never truncated. */
export const RELAY_FRAME_LIMITS = Object.freeze({
  /**
   * Users in one `room:join` / `room:leave`. Not 500: creating a group with
   * 500 invitees joins 501 users, and dissolving one leaves every member (up
   * to `PARLEY_GROUP_MAX_MEMBERS`, default 2000) in one frame.
   * @default 5_000
   */
  maxUsers: 5_000,
  /** Rooms of one frame: a group room plus a user room per member it concerns. @default 5_001 */
  maxRooms: 5_001,
  /**
   * Payload bytes, checked before decoding. The largest legitimate payload is
   * a `room:leave` of `maxUsers` 64-character ids (~340 KB); a `message:new`
   * stays under 30 KB.
   * @default 524_288 (512 KiB)
   */
  maxPayloadBytes: 512 * 1024,
  /**
   * Session ids of one `session:end`; a gateway ending more (logout-all of a
   * user with thousands of sign-ins) sends several frames. @default 1_000
   */
  maxSessions: 1_000,
});

/** Server events a node emits to its own sockets only: a relayed frame carrying one is forged. */
export const NODE_LOCAL_EVENT_NAMES = ['server:draining', 'server:resync', 'session:ended', 'system:notice'] as const satisfies readonly ServerEventName[];
export type NodeLocalEventName = (typeof NODE_LOCAL_EVENT_NAMES)[number];
/** Server events that may cross the relay: every one not node-local (a new event must get a schema below). */
export type RelayableEventName = Exclude<ServerEventName, NodeLocalEventName>;

// ---- payload schemas of relayable events. Objects strip unknown keys, like
// the wire models they are built from, so a newer node's extra field is
// dropped (not the whole frame) during a rolling upgrade and never reaches a
// client unvalidated.

const groupUpdateEventSchema = z.object({
  group: groupSchema,
  change: groupChangeSchema,
  actorId: z.string(),
  userIds: z.array(z.string()).optional(),
  role: groupRoleSchema.optional(),
  mutedUntil: z.number().optional(),
});

/** The payload schema of every relayable event: one table, checked against `ServerEventPayloads` below. */
export const RELAY_EVENT_SCHEMAS = {
  'message:new': messageSchema,
  'message:update': z.object({ message: messageSchema, entry: messageSchema }),
  'presence:update': presenceSchema,
  'message:receipt': z.object({ conversationId: z.string(), userId: z.string(), readSeq: z.number().int().min(0) }),
  typing: z.object({ conversationId: z.string(), userId: z.string() }),
  'group:update': groupUpdateEventSchema,
  'group:request': z.object({ request: groupJoinRequestSchema }),
  'friend:request': z.object({ request: friendRequestSchema }),
  'group:invitation': z.object({ invitation: groupInvitationSchema }),
  'settings:update': z.object({ settings: userSettingsSchema }),
  'conversation:settings': z.object({ settings: conversationSettingsSchema }),
  'friend:update': z.union([
    z.object({ request: friendRequestSchema }),
    z.object({ userId: z.string(), removed: z.literal(true) }),
  ]),
} as const satisfies { [E in RelayableEventName]: z.ZodType<ServerEventPayloads[E]> };

/** True only when A and B are the same type (not merely assignable either way). */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type MismatchedEventSchemas = {
  [E in RelayableEventName]: Equals<z.output<(typeof RELAY_EVENT_SCHEMAS)[E]>, ServerEventPayloads[E]> extends true
    ? never
    : E;
}[RelayableEventName];
type AssertTrue<T extends true> = T;
/** Fails to compile, naming the event, when a schema and `ServerEventPayloads` drift apart. */
export type _RelayEventSchemasMatch = AssertTrue<[MismatchedEventSchemas] extends [never] ? true : MismatchedEventSchemas>;

// ---- control frames

/** Payload of `room:join` / `room:leave`: every local session of `users` joins or leaves a group room. */
export interface RelayRoomChange {
  users: string[];
  /** Only group rooms are joined or left remotely; a user room never is. */
  room: GroupRoomName;
}

/** A user id that names a user room. */
const relayUserIdSchema = z.string().regex(new RegExp(`^${ROOM_KEY}$`));
const groupRoomSchema = z.custom<GroupRoomName>(
  (value) => typeof value === 'string' && value.startsWith('group:') && isRoomName(value),
  'must be a group room',
);

/** Strict: a control frame changes room membership, so anything unexpected in it is refused. */
export const relayRoomChangeSchema = z.strictObject({
  users: z.array(relayUserIdSchema).min(1).max(RELAY_FRAME_LIMITS.maxUsers),
  room: groupRoomSchema,
}) satisfies z.ZodType<RelayRoomChange>;

/**
 * Payload of `session:end`, a frame only a gateway sends (Deliver.from_gateway):
 * the local sockets of `userId` signed in under one of `sessionIds` get
 * `session:ended {reason}` and are disconnected.
 */
export interface RelaySessionEnd {
  userId: string;
  sessionIds: string[];
  reason: SessionEndReason;
}

/** Strict like a room change: it closes sockets, so anything unexpected in it is refused. */
export const relaySessionEndSchema = z.strictObject({
  userId: relayUserIdSchema,
  sessionIds: z
    .array(z.string().regex(new RegExp(`^${ROOM_KEY}$`)))
    .min(1)
    .max(RELAY_FRAME_LIMITS.maxSessions),
  reason: sessionEndReasonSchema,
}) satisfies z.ZodType<RelaySessionEnd>;

/** The event name of the gateway's own frame; a frame from a node carrying it is forged. */
export const GATEWAY_SESSION_END = 'session:end';

/**
 * A node's notice that pushes it published to `rooms` were dropped (its
 * outbox overflowed while no gateway was reachable): receiving nodes ask
 * their sessions in those rooms to sync (`server:resync`, coalesced per
 * socket). It carries nothing else, so a forged one can only cause a sync.
 */
export const RELAY_LOST = 'relay:lost';
/**
 * Payload of `relay:lost`: empty, the frame's rooms say everything; or
 * `all: true` when the origin lost track of which rooms (too many): the
 * receiving node asks every one of its sessions to sync.
 */
export interface RelayLost {
  all?: true;
}
/** Strict: `all` (only ever true) is the one field; any other is refused. */
export const relayLostSchema = z.strictObject({ all: z.literal(true).optional() }) satisfies z.ZodType<RelayLost>;

export type RelayControlKind = 'room:join' | 'room:leave';
/** Every wire `event` a valid frame may carry, with its payload. */
export type RelayFramePayloads = Pick<ServerEventPayloads, RelayableEventName> &
  Record<RelayControlKind, RelayRoomChange> &
  Record<typeof RELAY_LOST, RelayLost>;
export type RelayFrameEventName = keyof RelayFramePayloads;

// ---- the frame union

interface RelayFrameBase {
  /** Rooms of the publish this node announced interest in: never empty, every name valid. */
  rooms: readonly RoomName[];
  messageId: string;
  /** Stamped by the gateway from the origin's stream, not chosen by the origin. */
  originNode: string;
}

export interface RelayEventFrameOf<E extends RelayableEventName> extends RelayFrameBase {
  kind: 'event';
  event: E;
  payload: ServerEventPayloads[E];
}

/** A server event to emit to local sockets in `rooms`; `event` and `payload` correlate. */
export type RelayEventFrame = { [E in RelayableEventName]: RelayEventFrameOf<E> }[RelayableEventName];

/** The local sessions of `payload.users` (whose user rooms are `rooms`) join or leave `payload.room`. */
export interface RelayRoomChangeFrame<K extends RelayControlKind = RelayControlKind> extends RelayFrameBase {
  kind: K;
  rooms: readonly UserRoomName[];
  payload: RelayRoomChange;
}

/** From a gateway only: end the sockets of these sessions of the user whose room is `rooms[0]`. */
export interface RelaySessionEndFrame extends RelayFrameBase {
  kind: typeof GATEWAY_SESSION_END;
  rooms: readonly [UserRoomName];
  payload: RelaySessionEnd;
}

/** Sessions in `rooms` should sync: pushes to them were dropped at the origin. */
export interface RelayLostFrame extends RelayFrameBase {
  kind: typeof RELAY_LOST;
  payload: RelayLost;
}

export type RelayFrame =
  | RelayEventFrame
  | RelayRoomChangeFrame<'room:join'>
  | RelayRoomChangeFrame<'room:leave'>
  | RelaySessionEndFrame
  | RelayLostFrame;

/** Why a frame was dropped: a label for the drop counter. */
export const RELAY_FRAME_REJECTIONS = [
  /** Not a relay event at all (or one this node does not know yet). */
  'unknown-event',
  /** `server:draining` / `server:resync`: only ever emitted by a node to its own sockets. */
  'node-local-event',
  /** No room, too many, or a name that is not a room. */
  'bad-rooms',
  'payload-too-large',
  /** Not UTF-8 JSON. */
  'bad-json',
  /** JSON, but not the event's shape. */
  'bad-payload',
  /** Rooms the payload cannot be for: a message outside its conversation's rooms, a join on rooms of other users. */
  'rooms-mismatch',
  /** A gateway's own frame (`session:end`) relayed from a node, or a frame marked as the gateway's that a gateway never sends. */
  'bad-origin',
] as const;
export type RelayFrameRejection = (typeof RELAY_FRAME_REJECTIONS)[number];

/** A frame as delivered by the relay, before any validation. */
export interface RawRelayFrame {
  rooms: readonly string[];
  event: string;
  payload: Uint8Array;
  messageId: string;
  originNode: string;
  /** Deliver.from_gateway: set by the gateway on frames it originates, never on a node's publish. */
  fromGateway?: boolean;
}

export type RelayFrameDecodeResult = { ok: true; frame: RelayFrame } | { ok: false; reason: RelayFrameRejection };

/**
 * Relayable events a gateway may send on its own (from_gateway): what other
 * users see of an account deleted through the gateway's REST API.
 */
export const GATEWAY_EVENT_NAMES = ['friend:update', 'group:update', 'group:invitation'] as const satisfies readonly RelayableEventName[];
export type GatewayEventName = (typeof GATEWAY_EVENT_NAMES)[number];
const GATEWAY_EVENTS: ReadonlySet<string> = new Set(GATEWAY_EVENT_NAMES);

const EVENT_SCHEMAS: ReadonlyMap<string, z.ZodType> = new Map(Object.entries(RELAY_EVENT_SCHEMAS));
const NODE_LOCAL_EVENTS: ReadonlySet<string> = new Set(NODE_LOCAL_EVENT_NAMES);
// Fatal: invalid UTF-8 is a bad frame, not text with replacement characters.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

const rejected = (reason: RelayFrameRejection): RelayFrameDecodeResult => ({ ok: false, reason });

/** Validates a relayed frame; never throws. Runs once per frame per receiving node. */
export function decodeRelayFrame(raw: RawRelayFrame): RelayFrameDecodeResult {
  const { event, rooms } = raw;
  const sessionEnd = event === GATEWAY_SESSION_END;
  // Checked first: the gateway's marker, not the name, says who sent it. A
  // session end comes only from a gateway; a gateway sends nothing but that
  // and the few events of its own (GATEWAY_EVENT_NAMES).
  if (sessionEnd !== (raw.fromGateway === true) && !(raw.fromGateway === true && GATEWAY_EVENTS.has(event))) return rejected('bad-origin');
  const schema = EVENT_SCHEMAS.get(event);
  const control = event === 'room:join' || event === 'room:leave';
  const lost = event === RELAY_LOST;
  if (!schema && !control && !sessionEnd && !lost) return rejected(NODE_LOCAL_EVENTS.has(event) ? 'node-local-event' : 'unknown-event');
  if (!validRooms(rooms)) return rejected('bad-rooms');
  if (raw.payload.byteLength > RELAY_FRAME_LIMITS.maxPayloadBytes) return rejected('payload-too-large');
  let json: unknown;
  try {
    json = JSON.parse(utf8Decoder.decode(raw.payload));
  } catch {
    return rejected('bad-json');
  }
  const base = { rooms: rooms as readonly RoomName[], messageId: raw.messageId, originNode: raw.originNode };

  if (sessionEnd) {
    const parsed = relaySessionEndSchema.safeParse(json);
    if (!parsed.success) return rejected('bad-payload');
    const own = userRoom(parsed.data.userId);
    if (rooms.length !== 1 || rooms[0] !== own) return rejected('rooms-mismatch');
    return { ok: true, frame: { kind: GATEWAY_SESSION_END, payload: parsed.data, ...base, rooms: [own] } };
  }

  if (lost) {
    const parsed = relayLostSchema.safeParse(json);
    if (!parsed.success) return rejected('bad-payload');
    return { ok: true, frame: { kind: RELAY_LOST, payload: parsed.data, ...base } };
  }

  if (control) {
    const parsed = relayRoomChangeSchema.safeParse(json);
    if (!parsed.success) return rejected('bad-payload');
    if (!roomsAreUserRoomsOf(rooms, parsed.data.users)) return rejected('rooms-mismatch');
    return { ok: true, frame: { kind: event, payload: parsed.data, ...base } as RelayRoomChangeFrame<typeof event> };
  }

  const parsed = (schema as z.ZodType).safeParse(json);
  if (!parsed.success) return rejected('bad-payload');
  // Safe: the schema was looked up by this event name in RELAY_EVENT_SCHEMAS.
  const frame = { kind: 'event', event, payload: parsed.data, ...base } as RelayEventFrame;
  if (!roomsFitEvent(frame)) return rejected('rooms-mismatch');
  return { ok: true, frame };
}

/** JSON bytes of a relay payload, encoded once by the publisher. */
export function encodeRelayPayload(payload: RelayFramePayloads[RelayFrameEventName] | RelaySessionEnd): Uint8Array {
  return utf8Encoder.encode(JSON.stringify(payload));
}

function validRooms(rooms: readonly string[]): boolean {
  if (rooms.length === 0 || rooms.length > RELAY_FRAME_LIMITS.maxRooms) return false;
  for (const room of rooms) if (typeof room !== 'string' || !ROOM_PATTERN.test(room)) return false;
  return true;
}

/** Control frames are published to the user rooms of exactly the users they move (a node gets its share). */
function roomsAreUserRoomsOf(rooms: readonly string[], users: readonly string[]): boolean {
  const userRooms: ReadonlySet<string> = new Set(users.map(userRoom));
  for (const room of rooms) if (!userRooms.has(room)) return false;
  return true;
}

/**
 * Conversation events go to their conversation's rooms (`conversationRooms`
 * in the domain): a direct chat's two user rooms; a group's room, plus the
 * user rooms of members it concerns (newcomers, the removed). Other events
 * are not checked here.
 */
function roomsFitEvent(frame: RelayEventFrame): boolean {
  switch (frame.event) {
    case 'message:new':
    case 'message:receipt':
    case 'typing':
      return roomsFitConversation(frame.payload.conversationId, frame.rooms);
    default:
      return true;
  }
}

function roomsFitConversation(conversationId: string, rooms: readonly RoomName[]): boolean {
  const ref = parseConversationId(conversationId);
  if (!ref) return false;
  if (ref.type === 'direct') {
    const a = userRoom(ref.userIds[0]);
    const b = userRoom(ref.userIds[1]);
    for (const room of rooms) if (room !== a && room !== b) return false;
    return true;
  }
  const own = groupRoom(ref.groupId);
  for (const room of rooms) if (room !== own && !room.startsWith('user:')) return false;
  return true;
}
