import type { Group, Message, PresenceInfo, User } from './models';
import {
  RELAY_FRAME_LIMITS,
  decodeRelayFrame,
  encodeRelayPayload,
  type RawRelayFrame,
  type RelayFrame,
  type RelayFrameEventName,
  type RelayFramePayloads,
  type RelayFrameRejection,
} from './relay-frames';
import type { FriendRequest, GroupJoinRequest } from './social';

const alice: User = { id: 'alice', username: 'alice', displayName: 'Alice' };
const bob: User = { id: 'bob', username: 'bob', displayName: 'Bob', bio: 'hi' };

const directMessage: Message = {
  id: '01J0000000000000000000000A',
  conversationId: 'd:alice:bob',
  seq: 7,
  senderId: 'alice',
  kind: 'text',
  body: { text: 'hello' },
  clientMsgId: 'c-1',
  createdAt: 1_700_000_000_000,
};
const group: Group = {
  id: 'g1',
  name: 'Team',
  ownerId: 'alice',
  muteAll: false,
  isPublic: true,
  joinApproval: false,
  memberCount: 3,
  createdAt: 1_700_000_000_000,
};
const groupMessage: Message = {
  ...directMessage,
  conversationId: 'g:g1',
  kind: 'system',
  body: { text: 'Alice added Bob', system: { event: 'joined', actorId: 'alice', userIds: ['bob'] } },
  clientMsgId: 'sys:01J0000000000000000000000B',
};
const presence: PresenceInfo = { userId: 'bob', online: false, lastSeenAt: 1_700_000_000_000 };
const friendRequest: FriendRequest = {
  id: 'fr1',
  fromUserId: 'alice',
  toUserId: 'bob',
  fromUser: alice,
  toUser: bob,
  note: 'hey',
  status: 'pending',
  createdAt: 1_700_000_000_000,
};
const joinRequest: GroupJoinRequest = {
  id: 'jr1',
  groupId: 'g1',
  user: bob,
  status: 'accepted',
  createdAt: 1_700_000_000_000,
};

function raw(event: string, payload: unknown, rooms: readonly string[], messageId = 'm-1'): RawRelayFrame {
  const bytes = payload instanceof Uint8Array ? payload : new TextEncoder().encode(JSON.stringify(payload));
  return { rooms, event, payload: bytes, messageId, originNode: 'node-a' };
}

function decoded(frame: RawRelayFrame): RelayFrame {
  const result = decodeRelayFrame(frame);
  if (!result.ok) throw new Error(`rejected: ${result.reason}`);
  return result.frame;
}

function rejection(frame: RawRelayFrame): RelayFrameRejection | 'accepted' {
  const result = decodeRelayFrame(frame);
  return result.ok ? 'accepted' : result.reason;
}

/** One valid payload and its rooms per wire event, as the domain publishes them. */
const VALID: { [E in RelayFrameEventName]: { payload: RelayFramePayloads[E]; rooms: string[] }[] } = {
  'message:new': [
    { payload: directMessage, rooms: ['user:alice', 'user:bob'] },
    { payload: groupMessage, rooms: ['group:g1', 'user:bob'] },
  ],
  'message:update': [
    {
      payload: {
        message: { ...groupMessage, editedAt: groupMessage.createdAt + 1 },
        entry: {
          ...groupMessage,
          id: 'entry-1',
          seq: groupMessage.seq + 1,
          kind: 'change',
          clientMsgId: 'chg:entry-1',
          change: { type: 'edit', messageId: groupMessage.id },
        },
      },
      rooms: ['group:g1'],
    },
  ],
  'presence:update': [{ payload: presence, rooms: ['user:alice'] }],
  'message:receipt': [{ payload: { conversationId: 'd:alice:bob', userId: 'bob', readSeq: 7 }, rooms: ['user:alice'] }],
  typing: [{ payload: { conversationId: 'g:g1', userId: 'bob' }, rooms: ['group:g1'] }],
  'group:update': [
    { payload: { group, change: 'updated', actorId: 'alice' }, rooms: ['group:g1'] },
    {
      payload: { group, change: 'muted', actorId: 'alice', userIds: ['bob'], role: 'member', mutedUntil: 1_700_000_060_000 },
      rooms: ['group:g1', 'user:bob'],
    },
  ],
  'group:request': [{ payload: { request: joinRequest }, rooms: ['user:alice', 'user:bob'] }],
  'friend:request': [{ payload: { request: friendRequest }, rooms: ['user:bob'] }],
  'group:invitation': [
    {
      payload: { invitation: { id: 'gi1', group, inviter: alice, inviteeId: 'bob', status: 'pending', createdAt: 1_700_000_000_000 } },
      rooms: ['user:bob'],
    },
  ],
  'settings:update': [
    {
      payload: { settings: { dmPolicy: 'anyone', groupInvites: 'ask', previews: true, dnd: { start: '22:00', end: '07:00', timeZone: 'Asia/Shanghai' } } },
      rooms: ['user:bob'],
    },
  ],
  'conversation:settings': [
    { payload: { settings: { conversationId: 'g:g1', notify: 'mentions', mutedUntil: null, pinnedAt: 1_700_000_000_000 } }, rooms: ['user:bob'] },
  ],
  'friend:update': [
    { payload: { request: { ...friendRequest, status: 'accepted' } }, rooms: ['user:alice'] },
    { payload: { userId: 'alice', removed: true }, rooms: ['user:bob'] },
  ],
  'room:join': [{ payload: { users: ['alice', 'bob'], room: 'group:g1' }, rooms: ['user:alice', 'user:bob'] }],
  'room:leave': [{ payload: { users: ['bob'], room: 'group:g1' }, rooms: ['user:bob'] }],
  'relay:lost': [{ payload: {}, rooms: ['group:g1', 'user:alice'] }],
};

const validCases = Object.entries(VALID).flatMap(([event, cases]) =>
  cases.map((c, i) => [`${event} #${i + 1}`, event, c.payload, c.rooms] as const),
);

describe('decodeRelayFrame', () => {
  it.each(validCases)('round-trips a valid %s through encodeRelayPayload', (_name, event, payload, rooms) => {
    const frame = decoded({ rooms, event, payload: encodeRelayPayload(payload), messageId: 'm-1', originNode: 'node-a' });

    const kind = event === 'room:join' || event === 'room:leave' || event === 'relay:lost' ? event : 'event';
    expect(frame).toEqual({
      kind,
      ...(kind === 'event' ? { event } : {}),
      payload,
      rooms,
      messageId: 'm-1',
      originNode: 'node-a',
    });
  });

  it('gives a frame a switch over kind handles exhaustively, with event and payload correlated', () => {
    const describe = (frame: RelayFrame): string => {
      switch (frame.kind) {
        case 'event':
          return frame.event === 'message:new' ? `message ${frame.payload.seq}` : frame.event;
        case 'room:join':
        case 'room:leave':
          return `${frame.kind} ${frame.payload.room} x${frame.payload.users.length}`;
        case 'session:end':
          return `${frame.kind} ${frame.payload.reason}`;
        case 'relay:lost':
          return `${frame.kind} ${frame.rooms.length}`;
        default: {
          const unreachable: never = frame;
          return unreachable;
        }
      }
    };
    expect(describe(decoded(raw('message:new', directMessage, ['user:bob'])))).toBe('message 7');
    expect(describe(decoded(raw('room:join', { users: ['bob'], room: 'group:g1' }, ['user:bob'])))).toBe(
      'room:join group:g1 x1',
    );
  });

  describe('events', () => {
    it('refuses node-local events: a relayed server:draining or server:resync is forged', () => {
      expect(rejection(raw('server:draining', { reconnectAfterMs: 0 }, ['user:bob']))).toBe('node-local-event');
      expect(rejection(raw('server:resync', { withinMs: 1 }, ['user:bob']))).toBe('node-local-event');
    });

    it.each(['message:send', 'connect', 'disconnect', '__proto__', 'constructor', ''])('refuses the unknown event %j', (event) => {
      expect(rejection(raw(event, {}, ['user:bob']))).toBe('unknown-event');
    });

    it('refuses a message:new without seq, with a bad seq or a wrong kind', () => {
      const { seq: _seq, ...withoutSeq } = directMessage;
      expect(rejection(raw('message:new', withoutSeq, ['user:bob']))).toBe('bad-payload');
      expect(rejection(raw('message:new', { ...directMessage, seq: 0 }, ['user:bob']))).toBe('bad-payload');
      expect(rejection(raw('message:new', { ...directMessage, seq: '7' }, ['user:bob']))).toBe('bad-payload');
      expect(rejection(raw('message:new', { ...directMessage, kind: 'html' }, ['user:bob']))).toBe('bad-payload');
      expect(rejection(raw('message:new', { ...directMessage, body: 'hello' }, ['user:bob']))).toBe('bad-payload');
    });

    it('strips unknown keys from event payloads, like the wire models, so they never reach clients', () => {
      const frame = decoded(
        raw('message:new', { ...directMessage, html: '<script>', body: { text: 'hi', extra: 1 } }, ['user:bob']),
      );
      expect(frame.payload).toEqual({ ...directMessage, body: { text: 'hi' } });
    });

    it('refuses a payload of the wrong shape for each event', () => {
      expect(rejection(raw('presence:update', { userId: 'bob', online: 'yes', lastSeenAt: null }, ['user:a']))).toBe(
        'bad-payload',
      );
      expect(rejection(raw('message:receipt', { conversationId: 'g:g1', userId: 'bob', readSeq: -1 }, ['group:g1']))).toBe(
        'bad-payload',
      );
      expect(rejection(raw('typing', { conversationId: 'g:g1' }, ['group:g1']))).toBe('bad-payload');
      expect(rejection(raw('group:update', { group, change: 'exploded', actorId: 'alice' }, ['group:g1']))).toBe(
        'bad-payload',
      );
      expect(rejection(raw('group:request', { request: { ...joinRequest, status: 'maybe' } }, ['user:bob']))).toBe(
        'bad-payload',
      );
      expect(rejection(raw('friend:request', {}, ['user:bob']))).toBe('bad-payload');
      expect(rejection(raw('friend:update', { userId: 'alice', removed: false }, ['user:bob']))).toBe('bad-payload');
      expect(rejection(raw('message:new', null, ['user:bob']))).toBe('bad-payload');
      expect(rejection(raw('message:new', [directMessage], ['user:bob']))).toBe('bad-payload');
    });

    it("refuses a conversation event sent to rooms outside the conversation's", () => {
      expect(rejection(raw('message:new', directMessage, ['user:carol']))).toBe('rooms-mismatch');
      expect(rejection(raw('message:new', directMessage, ['group:g1']))).toBe('rooms-mismatch');
      expect(rejection(raw('message:new', groupMessage, ['group:g2']))).toBe('rooms-mismatch');
      expect(rejection(raw('message:new', { ...directMessage, conversationId: 'x:1' }, ['user:bob']))).toBe(
        'rooms-mismatch',
      );
      expect(rejection(raw('typing', { conversationId: 'd:alice:bob', userId: 'alice' }, ['user:eve']))).toBe(
        'rooms-mismatch',
      );
      expect(
        rejection(raw('message:receipt', { conversationId: 'g:g1', userId: 'bob', readSeq: 1 }, ['group:other'])),
      ).toBe('rooms-mismatch');
    });
  });

  describe('room:join and room:leave', () => {
    const join = (payload: unknown, rooms = ['user:bob']) => rejection(raw('room:join', payload, rooms));

    it('refuses joining or leaving a user room over the relay', () => {
      expect(join({ users: ['bob'], room: 'user:alice' })).toBe('bad-payload');
      expect(rejection(raw('room:leave', { users: ['bob'], room: 'user:bob' }, ['user:bob']))).toBe('bad-payload');
    });

    it('refuses unknown keys, no users, bad user ids and bad room names', () => {
      expect(join({ users: ['bob'], room: 'group:g1', admin: true })).toBe('bad-payload');
      expect(join({ users: [], room: 'group:g1' })).toBe('bad-payload');
      expect(join({ users: [''], room: 'group:g1' })).toBe('bad-payload');
      expect(join({ users: ['bo b'], room: 'group:g1' })).toBe('bad-payload');
      expect(join({ users: ['bob'], room: 'group:' })).toBe('bad-payload');
      expect(join({ users: ['bob'], room: 'group:g/1' })).toBe('bad-payload');
      expect(join({ users: ['bob'] })).toBe('bad-payload');
      expect(join({ users: 'bob', room: 'group:g1' })).toBe('bad-payload');
    });

    it('takes up to maxUsers users, one more is refused', () => {
      const users = Array.from({ length: RELAY_FRAME_LIMITS.maxUsers }, (_, i) => `01J${String(i).padStart(23, '0')}`);
      const rooms = users.slice(0, 3).map((u) => `user:${u}`);
      expect(join({ users, room: 'group:g1' }, rooms)).toBe('accepted');
      expect(join({ users: [...users, 'one-more'], room: 'group:g1' }, rooms)).toBe('bad-payload');
    });

    it('refuses rooms that are not the user rooms of the users it moves', () => {
      expect(join({ users: ['bob'], room: 'group:g1' }, ['user:alice'])).toBe('rooms-mismatch');
      expect(join({ users: ['bob'], room: 'group:g1' }, ['group:g2'])).toBe('rooms-mismatch');
      expect(join({ users: ['bob'], room: 'group:g1' }, ['user:bob', 'group:g1'])).toBe('rooms-mismatch');
    });
  });

  describe('relay:lost, a node telling the rooms whose pushes it dropped', () => {
    it('takes any valid rooms, up to maxRooms, with an empty payload', () => {
      const rooms = Array.from({ length: RELAY_FRAME_LIMITS.maxRooms }, (_, i) => (i % 2 ? `user:u${i}` : `group:g${i}`));
      expect(decoded(raw('relay:lost', {}, rooms))).toEqual({ kind: 'relay:lost', payload: {}, rooms, messageId: 'm-1', originNode: 'node-a' });
    });

    it('refuses a forged or oversized one: any field, too many or bad rooms, a huge payload, a gateway marker', () => {
      expect(rejection(raw('relay:lost', { rooms: ['user:everyone'] }, ['user:bob']))).toBe('bad-payload');
      expect(rejection(raw('relay:lost', { all: false }, ['user:bob']))).toBe('bad-payload');
      expect(rejection(raw('relay:lost', { all: true }, ['user:bob']))).toBe('accepted'); // every room of the receiver: see RelayLost
      expect(rejection(raw('relay:lost', [], ['user:bob']))).toBe('bad-payload');
      expect(rejection(raw('relay:lost', {}, Array.from({ length: RELAY_FRAME_LIMITS.maxRooms + 1 }, (_, i) => `user:u${i}`)))).toBe('bad-rooms');
      expect(rejection(raw('relay:lost', {}, ['everyone']))).toBe('bad-rooms');
      expect(rejection(raw('relay:lost', new Uint8Array(RELAY_FRAME_LIMITS.maxPayloadBytes + 1).fill(0x20), ['user:bob']))).toBe('payload-too-large');
      expect(rejection({ ...raw('relay:lost', {}, ['user:bob']), fromGateway: true })).toBe('bad-origin');
    });
  });

  describe('session:end, a frame only a gateway sends', () => {
    const end = { userId: 'bob', sessionIds: ['01J0000000000000000000000S', 's-2'], reason: 'logout-all' };
    const fromGateway = (payload: unknown, rooms: readonly string[] = ['user:bob']): RawRelayFrame => ({
      ...raw('session:end', payload, rooms),
      originNode: '',
      fromGateway: true,
    });

    it("is accepted from a gateway, for the user's own room", () => {
      expect(decoded(fromGateway(end))).toEqual({ kind: 'session:end', payload: end, rooms: ['user:bob'], messageId: 'm-1', originNode: '' });
    });

    it('is refused when a node relays it, whatever it claims to be', () => {
      expect(rejection(raw('session:end', end, ['user:bob']))).toBe('bad-origin');
      expect(rejection({ ...raw('session:end', end, ['user:bob']), originNode: '' })).toBe('bad-origin');
      expect(rejection({ ...raw('session:end', end, ['user:bob']), fromGateway: false })).toBe('bad-origin');
    });

    it("refuses a node's event or room change marked as the gateway's", () => {
      expect(rejection({ ...raw('message:new', directMessage, ['user:bob']), fromGateway: true })).toBe('bad-origin');
      expect(rejection({ ...raw('room:join', { users: ['bob'], room: 'group:g1' }, ['user:bob']), fromGateway: true })).toBe('bad-origin');
      // session:ended is what the node emits itself; it never crosses the relay either way.
      expect(rejection({ ...raw('session:ended', { reason: 'logout' }, ['user:bob']), fromGateway: true })).toBe('bad-origin');
      expect(rejection(raw('session:ended', { reason: 'logout' }, ['user:bob']))).toBe('node-local-event');
    });

    it('takes the events a gateway announces of a deleted account, from the gateway, as it takes them from a node', () => {
      const removed = { userId: 'bob', removed: true };
      expect(decoded({ ...raw('friend:update', removed, ['user:alice']), originNode: '', fromGateway: true })).toMatchObject({
        kind: 'event',
        event: 'friend:update',
        payload: removed,
      });
      const invitation = { id: 'gi1', group, inviter: alice, inviteeId: 'bob', status: 'cancelled', createdAt: 1_700_000_000_000 };
      const cancelled = { invitation };
      expect(decoded({ ...raw('group:invitation', cancelled, ['user:bob']), originNode: '', fromGateway: true })).toMatchObject({
        kind: 'event',
        event: 'group:invitation',
        payload: cancelled,
      });
      // The same shape rules hold: a gateway's frame is checked like any other.
      expect(rejection({ ...raw('friend:update', { userId: 'bob' }, ['user:alice']), originNode: '', fromGateway: true })).toBe('bad-payload');
    });

    it('refuses unknown keys, unknown reasons, bad or missing session ids', () => {
      expect(rejection(fromGateway({ ...end, all: true }))).toBe('bad-payload');
      expect(rejection(fromGateway({ ...end, reason: 'bored' }))).toBe('bad-payload');
      expect(rejection(fromGateway({ ...end, sessionIds: [] }))).toBe('bad-payload');
      expect(rejection(fromGateway({ ...end, sessionIds: ['s 1'] }))).toBe('bad-payload');
      expect(rejection(fromGateway({ ...end, sessionIds: 's-1' }))).toBe('bad-payload');
      expect(rejection(fromGateway({ userId: 'bob', reason: 'logout' }))).toBe('bad-payload');
      expect(rejection(fromGateway({ ...end, userId: 'bo b' }, ['user:bob']))).toBe('bad-payload');
    });

    it('takes up to maxSessions session ids, one more is refused', () => {
      const sessionIds = Array.from({ length: RELAY_FRAME_LIMITS.maxSessions }, (_, i) => `s-${i}`);
      expect(rejection(fromGateway({ ...end, sessionIds }))).toBe('accepted');
      expect(rejection(fromGateway({ ...end, sessionIds: [...sessionIds, 'one-more'] }))).toBe('bad-payload');
    });

    it("refuses rooms other than exactly the user's own", () => {
      expect(rejection(fromGateway(end, ['user:alice']))).toBe('rooms-mismatch');
      expect(rejection(fromGateway(end, ['user:bob', 'user:alice']))).toBe('rooms-mismatch');
      expect(rejection(fromGateway(end, ['group:g1']))).toBe('rooms-mismatch');
      expect(rejection(fromGateway(end, []))).toBe('bad-rooms');
    });
  });

  describe('frame envelope', () => {
    it.each([
      ['no room', []],
      ['an empty name', ['']],
      ['an unknown prefix', ['room:x']],
      ['a bad character', ['user:bo b']],
      ['a name too long', [`user:${'a'.repeat(65)}`]],
      ['one bad room among good ones', ['user:alice', 'user:bob', 'user;bob']],
      ['too many rooms', Array.from({ length: RELAY_FRAME_LIMITS.maxRooms + 1 }, (_, i) => `user:u${i}`)],
    ])('refuses a frame with %s, never filtering rooms silently', (_name, rooms) => {
      expect(rejection(raw('message:new', directMessage, rooms))).toBe('bad-rooms');
      expect(rejection(raw('room:join', { users: ['bob'], room: 'group:g1' }, rooms))).toBe('bad-rooms');
    });

    it('refuses an oversized payload before parsing it', () => {
      const big = new Uint8Array(RELAY_FRAME_LIMITS.maxPayloadBytes + 1).fill(0x20);
      expect(rejection(raw('message:new', big, ['user:bob']))).toBe('payload-too-large');
    });

    it.each([
      ['truncated JSON', new TextEncoder().encode('{"id":')],
      ['empty bytes', new Uint8Array(0)],
      ['invalid UTF-8', Uint8Array.of(0x22, 0xff, 0xfe, 0x22)],
      ['text', new TextEncoder().encode('hello')],
    ])('refuses %s as bad-json without throwing', (_name, bytes) => {
      expect(rejection(raw('message:new', bytes, ['user:bob']))).toBe('bad-json');
    });
  });
});
