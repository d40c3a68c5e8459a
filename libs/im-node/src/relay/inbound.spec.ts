import type { SessionService } from '@parley/domain';
import { RELAY_FRAME_LIMITS } from '@parley/protocol';
import { createLogger } from '@parley/util-node';
import type { ImServer } from '../socket/socket-types';
import { RelayInbound } from './inbound';
import { LocalRooms } from './local-rooms';
import { MembershipLog } from './membership-log';
import type { RelayedFrame } from './relay-link';

const frame = (event: string, rooms: string[], payload: unknown, done?: () => void): RelayedFrame => ({
  rooms,
  event,
  payload: typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(JSON.stringify(payload)),
  messageId: 'm',
  originNode: 'im-9',
  done,
});

/** A store answer the test releases by hand. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('RelayInbound', () => {
  const logger = createLogger({ name: 'test', level: 'silent' });
  const calls: string[] = [];
  const fakeIo = {
    to: (rooms: string[]) => ({ emit: (event: string) => calls.push(`emit ${event} ${rooms.join(',')}`) }),
    in: (rooms: string[]) => ({
      socketsJoin: (room: string) => calls.push(`join ${rooms.join(',')} ${room}`),
      socketsLeave: (room: string) => calls.push(`leave ${rooms.join(',')} ${room}`),
    }),
    of: () => ({ adapter: { rooms: new Map() } }),
  } as unknown as ImServer;
  const interest: string[] = [];
  const relay = { setInterest: (room: string, on: boolean) => void interest.push(`${on ? '+' : '-'}${room}`) };

  beforeEach(() => {
    calls.length = 0;
    interest.length = 0;
    ended.length = 0;
    resynced.length = 0;
  });

  const resynced: string[] = [];
  const resync = { rooms: (rooms: Iterable<string>) => void resynced.push([...rooms].join(',')), all: () => void resynced.push('*') };

  const ended: string[] = [];
  const sessionEnds = { end: (userId: string, ids: readonly string[], reason: string) => ended.push(`${userId} ${ids.join(',')} ${reason}`) };
  const inboundWith = (confirmMembers: SessionService['confirmMembers']) =>
    new RelayInbound(new LocalRooms(fakeIo, new MembershipLog()), { confirmMembers } as SessionService, relay, logger, sessionEnds, resync);

  it('drops and counts frames that fail validation, and still releases a waiting barrier', () => {
    const inbound = inboundWith(async () => []);
    const released: string[] = [];
    inbound.receive(frame('server:draining', ['user:b'], { reconnectAfterMs: 0 }, () => released.push('draining')));
    inbound.receive(frame('message:new', ['user:b'], '{broken'));
    inbound.receive(frame('message:new', ['user:b'], { id: 'x' }));
    inbound.receive(frame('typing', ['not a room'], { conversationId: 'c', userId: 'u' }));
    expect(calls).toEqual([]);
    expect(Object.fromEntries(inbound.dropCounts())).toEqual({ 'node-local-event': 1, 'bad-json': 1, 'bad-payload': 1, 'bad-rooms': 1 });
    expect(released).toEqual(['draining']);
  });

  it("ends sessions on a gateway's session:end, never on one another node relays", () => {
    const inbound = inboundWith(async () => []);
    const end = { userId: 'b', sessionIds: ['s1', 's2'], reason: 'logout-all' };
    inbound.receive(frame('session:end', ['user:b'], end)); // from node im-9
    inbound.receive({ ...frame('session:end', ['user:b'], end), originNode: '' });
    expect(ended).toEqual([]);
    expect(Object.fromEntries(inbound.dropCounts())).toEqual({ 'bad-origin': 2 });
    inbound.receive({ ...frame('session:end', ['user:b'], end), originNode: '', fromGateway: true });
    expect(ended).toEqual(['b s1,s2 logout-all']);
  });

  it("asks local sessions in an origin's relay:lost rooms to sync; a forged or oversized one is dropped", () => {
    const inbound = inboundWith(async () => []);
    inbound.receive(frame('relay:lost', ['group:g', 'user:b'], {}));
    expect(resynced).toEqual(['group:g,user:b']);
    inbound.receive(frame('relay:lost', ['group:g'], { rooms: ['user:everyone'] }));
    inbound.receive(frame('relay:lost', ['group:g'], { all: false }));
    inbound.receive(frame('relay:lost', Array.from({ length: RELAY_FRAME_LIMITS.maxRooms + 1 }, (_, i) => `user:u${i}`), {}));
    inbound.receive({ ...frame('relay:lost', ['user:b'], {}), originNode: '', fromGateway: true });
    expect(resynced).toEqual(['group:g,user:b']);
    expect(Object.fromEntries(inbound.dropCounts())).toEqual({ 'bad-payload': 2, 'bad-rooms': 1, 'bad-origin': 1 });
    // The origin lost track of which rooms: every local session syncs.
    inbound.receive(frame('relay:lost', ['group:g'], { all: true }));
    expect(resynced).toEqual(['group:g,user:b', '*']);
  });

  it('joins only users the store confirms, holding later frames until then, and confirms the barrier after applying', async () => {
    const answer = deferred<string[]>();
    const inbound = inboundWith(() => answer.promise);
    const done: string[] = [];
    inbound.receive(frame('room:join', ['user:a', 'user:b'], { users: ['a', 'b'], room: 'group:g' }, () => done.push('join')));
    inbound.receive(frame('room:leave', ['user:a'], { users: ['a'], room: 'group:g' }, () => done.push('leave')));
    expect(interest).toEqual(['+group:g']); // routed here while checked
    expect(calls).toEqual([]); // the leave waits behind the join
    answer.resolve(['b']);
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['join user:b group:g', 'leave user:a group:g']);
    expect(done).toEqual(['join', 'leave']);
    // No local socket joined (the fake adapter has no rooms): the held interest is let go.
    expect(interest).toEqual(['+group:g', '-group:g']);
  });

  it('does not undo a leave applied while the join was being checked', async () => {
    const answer = deferred<string[]>();
    const log = new MembershipLog();
    const inbound = new RelayInbound(new LocalRooms(fakeIo, log), { confirmMembers: () => answer.promise } as unknown as SessionService, relay, logger, sessionEnds, resync);
    inbound.receive(frame('room:join', ['user:a'], { users: ['a'], room: 'group:g' }));
    log.record(['a'], 'group:g', false); // a local kick landed meanwhile
    answer.resolve(['a']); // the store read predates it
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([]);
  });
});
