import { MemoryThrottleFactory } from '@parley/limits';
import { meteredThrottles, type ParleyMetrics } from '@parley/observability';
import { HANDSHAKE_UNAUTHORIZED, type Message, type RelayFrameRejection } from '@parley/protocol';
import { createLogger } from '@parley/util-node';
import { MembershipLog } from '../relay/membership-log';
import { LocalRooms } from '../relay/local-rooms';
import type { RelayLink } from '../relay/relay-link';
import { createCommandDispatcher, InFlight } from '../socket/command-dispatch';
import type { CommandHandlers } from '../socket/commands/types';
import { NotAcceptingError } from '../socket/handshake-auth';
import { SocketBudget } from '../socket/socket-budget';
import type { ImSocket } from '../socket/socket-types';
import { startTestSocketServer } from '../testing/socket-server';
import { testMetrics } from '../testing/test-metrics';
import { countConnectedUsers } from './connected-users';
import { CountedRateLimiter, nodeThrottleLimit } from './counted-limits';
import { NodeMetrics } from './node-metrics';
import { observeRelay } from './relay-metrics';
import { timedHandshake } from './timed-handshake';

/** The sum of the series of `name` whose labels include `labels` (0 when none). */
async function valueOf(metrics: ParleyMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const text = await metrics.registry.metrics();
  const wanted = Object.entries(labels);
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (wanted.every(([k, v]) => have[k] === v)) total += Number(match[3]);
  }
  return total;
}

const logger = createLogger({ name: 'test', level: 'silent' });
const nodeMetrics = (metrics = testMetrics()) => new NodeMetrics(metrics, 'im-1', new Set(['message:send', 'friend:list']));

describe('timedHandshake', () => {
  const socket = {} as ImSocket;
  const run = (steps: Parameters<typeof timedHandshake>[0]) =>
    new Promise<{ outcome: string; err: Error | undefined }>((resolve) => {
      let outcome = '';
      timedHandshake(steps, (o, seconds) => {
        expect(seconds).toBeGreaterThanOrEqual(0);
        outcome = o;
      })(socket, (err) => resolve({ outcome, err }));
    });

  it('runs the steps in order and records ok once all pass', async () => {
    const order: number[] = [];
    const result = await run([(_, next) => (order.push(1), next()), (_, next) => void setImmediate(() => (order.push(2), next()))]);
    expect(result).toEqual({ outcome: 'ok', err: undefined });
    expect(order).toEqual([1, 2]);
  });

  it('stops at the first refusal, passing its error on, and names the outcome by it', async () => {
    let reachedSecond = false;
    const refuse = (err: Error) => run([(_, next) => next(err), (_, next) => ((reachedSecond = true), next())]);
    expect((await refuse(new Error(HANDSHAKE_UNAUTHORIZED))).outcome).toBe('unauthorized');
    expect((await refuse(new NotAcceptingError())).outcome).toBe('not_accepting');
    const unavailable = await refuse(new Error('UNAVAILABLE'));
    expect(unavailable).toMatchObject({ outcome: 'error', err: { message: 'UNAVAILABLE' } });
    // What the client sees of a node that is not accepting stays UNAVAILABLE.
    expect(new NotAcceptingError().message).toBe('UNAVAILABLE');
    expect(reachedSecond).toBe(false);
  });
});

describe('NodeMetrics', () => {
  it('counts commands by name and code, unknown names as one label value, and refused sends by code', async () => {
    const metrics = testMetrics();
    const node = nodeMetrics(metrics);
    node.command('message:send', 'OK', 0.01);
    node.command('message:send', 'OK', 0.02);
    node.command('message:send', 'RATE_LIMITED', 0.001);
    for (let i = 0; i < 100; i++) node.command(`junk-${i}`, 'INVALID_ARGUMENT', 0);
    node.messageRejected('RATE_LIMITED');
    expect(await valueOf(metrics, 'parley_commands_total', { node: 'im-1', command: 'message:send', code: 'OK' })).toBe(2);
    expect(await valueOf(metrics, 'parley_commands_total', { node: 'im-1', command: 'unknown', code: 'INVALID_ARGUMENT' })).toBe(100);
    expect(await valueOf(metrics, 'parley_command_duration_seconds_count', { node: 'im-1', command: 'message:send' })).toBe(3);
    expect(await valueOf(metrics, 'parley_messages_rejected_total', { node: 'im-1', code: 'RATE_LIMITED' })).toBe(1);
    expect(await metrics.registry.metrics()).not.toContain('junk-');
  });

  it('reads sockets, users, draining and ready at scrape time', async () => {
    const metrics = testMetrics();
    const state = { sockets: 3, users: 2, draining: false, ready: true };
    nodeMetrics(metrics).observeState({ sockets: () => state.sockets, users: () => state.users, draining: () => state.draining, readyNow: () => state.ready });
    expect(await valueOf(metrics, 'parley_sockets_connected', { node: 'im-1' })).toBe(3);
    expect(await valueOf(metrics, 'parley_users_connected', { node: 'im-1' })).toBe(2);
    expect(await valueOf(metrics, 'parley_ready', { node: 'im-1', gateway: '' })).toBe(1);
    Object.assign(state, { sockets: 0, users: 0, draining: true, ready: false });
    expect(await valueOf(metrics, 'parley_draining', { node: 'im-1' })).toBe(1);
    expect(await valueOf(metrics, 'parley_ready', { node: 'im-1' })).toBe(0);
    expect(await valueOf(metrics, 'parley_sockets_connected', { node: 'im-1' })).toBe(0);
  });
});

describe('counted limits', () => {
  it('counts each refusal of the node send limiter and of a cluster throttle, never a pass', async () => {
    const metrics = testMetrics();
    const node = nodeMetrics(metrics);
    const limiter = new CountedRateLimiter({ now: () => 0 }, { ratePerSec: 1, burst: 2 }, node.limitCount('send_rate'));
    expect([limiter.take('u'), limiter.take('u'), limiter.take('u'), limiter.take('u')].map((d) => d.ok)).toEqual([true, true, false, false]);
    // The cluster throttles as the node meters them (the shared factory, the node's limit names).
    const throttles = meteredThrottles(new MemoryThrottleFactory(), metrics, node.role, { limitOf: nodeThrottleLimit });
    const throttle = throttles.create({ name: 'user-send', points: 1, durationSec: 60 });
    const social = throttles.create({ name: 'user-social', points: 1, durationSec: 60 });
    await social.consume('u');
    expect((await social.consume('u')).ok).toBe(false);
    expect((await throttle.consume('u')).ok).toBe(true);
    expect((await throttle.consume('u')).ok).toBe(false);
    await throttle.refund('u');
    expect(await throttle.peek('u')).toBe(0);
    expect(await valueOf(metrics, 'parley_rate_limited_total', { node: 'im-1', gateway: '', limit: 'send_rate' })).toBe(2);
    expect(await valueOf(metrics, 'parley_rate_limited_total', { node: 'im-1', limit: 'user_send' })).toBe(1);
    // user-social's refusals are the dispatcher's to count (as social): not twice.
    expect(await valueOf(metrics, 'parley_rate_limited_total', { node: 'im-1', limit: 'user-social' })).toBe(0);
  });

  it('counts a command refused by the command budget under its limit, its command and code, and as a refused send', async () => {
    const metrics = testMetrics();
    const node = nodeMetrics(metrics);
    const handlers = { 'message:send': async () => ({ message: {} as Message }) } as Partial<CommandHandlers> as CommandHandlers;
    const dispatch = createCommandDispatcher(handlers, { resync: async () => undefined }, new InFlight(), logger, {
      clock: { now: () => 0 },
      budget: new SocketBudget({ now: () => 0 }, { burst: 10, ratePerSec: 1 }),
      metrics: node,
    });
    const server = await startTestSocketServer((io) => {
      io.use((socket, next) => {
        socket.data.userId = 'u1';
        socket.data.expiresAt = Number.POSITIVE_INFINITY;
        next();
      });
      io.on('connection', (socket) => socket.onAny(dispatch));
    });
    try {
      const client = await server.open();
      const payload = { to: { type: 'user', id: 'u2' }, clientMsgId: 'c', kind: 'text', body: { text: 'x' } };
      const acks: { ok: boolean }[] = [];
      // A send costs more than one token: the bucket of 10 runs dry within a dozen.
      for (let i = 0; i < 12; i++) acks.push((await client.timeout(5_000).emitWithAck('message:send', payload)) as { ok: boolean });
      const refused = acks.filter((a) => !a.ok).length;
      expect(refused).toBeGreaterThan(0);
      expect(await valueOf(metrics, 'parley_rate_limited_total', { node: 'im-1', limit: 'command_budget' })).toBe(refused);
      expect(await valueOf(metrics, 'parley_commands_total', { node: 'im-1', command: 'message:send', code: 'RATE_LIMITED' })).toBe(refused);
      expect(await valueOf(metrics, 'parley_commands_total', { node: 'im-1', command: 'message:send', code: 'OK' })).toBe(12 - refused);
      expect(await valueOf(metrics, 'parley_messages_rejected_total', { node: 'im-1', code: 'RATE_LIMITED' })).toBe(refused);
    } finally {
      await server.close();
    }
  });
});

describe('deliveries and connected users', () => {
  it('counts message:new per socket reached (the sender\'s socket excepted), by source, and nothing for other events', async () => {
    const metrics = testMetrics();
    const node = nodeMetrics(metrics);
    let local: LocalRooms | undefined;
    let users: (() => number) | undefined;
    const server = await startTestSocketServer((io) => {
      local = new LocalRooms(io, new MembershipLog(), node.deliveries);
      users = countConnectedUsers(io);
      io.on('connection', (socket) => void socket.join(`user:${String((socket.handshake.auth as { user?: unknown }).user)}`));
    });
    try {
      const [a1, a2, b1] = [await server.open({ auth: { user: 'a' } }), await server.open({ auth: { user: 'a' } }), await server.open({ auth: { user: 'b' } })];
      const rooms = server.io.of('/').adapter.rooms;
      while ((rooms.get('user:a')?.size ?? 0) < 2 || !rooms.has('user:b')) await new Promise((resolve) => setImmediate(resolve));
      expect(users?.()).toBe(2);
      const sender = [...(rooms.get('user:a') ?? [])][0];
      local?.emit(['user:a', 'user:b'], 'message:new', {} as Message, sender);
      local?.emit(['user:a', 'user:b'], 'message:new', {} as Message, undefined, 'relayed');
      local?.emit(['user:a'], 'typing', { conversationId: 'c', userId: 'a' });
      local?.emit(['user:nobody'], 'message:new', {} as Message);
      expect(await valueOf(metrics, 'parley_deliveries_total', { node: 'im-1', source: 'local' })).toBe(2);
      expect(await valueOf(metrics, 'parley_deliveries_total', { node: 'im-1', source: 'relayed' })).toBe(3);
      // The count is reach()'s: the trace lines say the same number.
      expect([local?.reach(['user:a', 'user:b'], sender), local?.reach(['user:a', 'user:b']), local?.reach(['user:nobody'])]).toEqual([2, 3, 0]);
      for (const c of [a1, a2, b1]) c.close();
      while (rooms.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(users?.()).toBe(0);
    } finally {
      await server.close();
    }
  });
});

describe('observeRelay', () => {
  it('reports the relay\'s own totals, the node\'s drops and outbox at scrape time', async () => {
    const metrics = testMetrics();
    const stats = { framesIn: 7, framesOut: 9, publishDropped: 1, unackedFull: 2, resent: 3, replayed: 4 };
    const relay = {
      stats: () => stats,
      connectedGateways: () => [{ address: '10.0.0.1:50051', gatewayId: 'gw-1' }, { address: '10.0.0.2:50051', gatewayId: '' }],
    } as unknown as RelayLink;
    const drops = new Map<RelayFrameRejection, number>([['unknown-event', 5]]);
    const outbox = { depth: 6, stats: () => ({ dropped: 8 }) };
    observeRelay(nodeMetrics(metrics), relay, { inboundDrops: () => drops, outbox });
    expect(await valueOf(metrics, 'parley_relay_frames_total', { node: 'im-1', gateway: '', direction: 'in' })).toBe(7);
    expect(await valueOf(metrics, 'parley_relay_frames_total', { node: 'im-1', direction: 'out' })).toBe(9);
    expect(await valueOf(metrics, 'parley_relay_frames_dropped_total', { node: 'im-1', reason: 'unknown-event' })).toBe(5);
    expect(await valueOf(metrics, 'parley_relay_frames_dropped_total', { node: 'im-1', reason: 'outbox_full' })).toBe(8);
    expect(await valueOf(metrics, 'parley_relay_frames_dropped_total', { node: 'im-1', reason: 'publish_refused' })).toBe(1);
    expect(await valueOf(metrics, 'parley_relay_frames_replayed_total', { node: 'im-1', kind: 'resent' })).toBe(3);
    expect(await valueOf(metrics, 'parley_relay_outbox_depth', { node: 'im-1' })).toBe(6);
    expect(await valueOf(metrics, 'parley_relay_streams_up', { node: 'im-1', peer: 'gw-1' })).toBe(1);
    expect(await valueOf(metrics, 'parley_relay_streams_up', { node: 'im-1', peer: '10.0.0.2:50051' })).toBe(1);
    stats.framesIn = 70;
    expect(await valueOf(metrics, 'parley_relay_frames_total', { node: 'im-1', direction: 'in' })).toBe(70);
  });

  it('reports only the node\'s own drops and outbox for a relay without stats (a test relay)', async () => {
    const metrics = testMetrics();
    observeRelay(nodeMetrics(metrics), {} as RelayLink, { inboundDrops: () => new Map(), outbox: { depth: 1, stats: () => ({ dropped: 0 }) } });
    expect(await valueOf(metrics, 'parley_relay_outbox_depth', { node: 'im-1' })).toBe(1);
    expect(await metrics.registry.metrics()).not.toContain('parley_relay_frames_total{');
  });

  it('reports drops counted by the node (invalid admin commands) in every scrape, not only until the next one', async () => {
    const metrics = testMetrics();
    const observed = observeRelay(nodeMetrics(metrics), {} as RelayLink, { inboundDrops: () => new Map(), outbox: { depth: 0, stats: () => ({ dropped: 0 }) } });
    for (let i = 0; i < 3; i++) observed.dropped('admin_bad-json');
    observed.dropped('admin_unknown-kind');
    for (let scrape = 0; scrape < 3; scrape++) {
      expect(await valueOf(metrics, 'parley_relay_frames_dropped_total', { node: 'im-1', gateway: '', reason: 'admin_bad-json' })).toBe(3);
      expect(await valueOf(metrics, 'parley_relay_frames_dropped_total', { node: 'im-1', reason: 'admin_unknown-kind' })).toBe(1);
    }
    observed.dropped('admin_bad-json');
    expect(await valueOf(metrics, 'parley_relay_frames_dropped_total', { node: 'im-1', reason: 'admin_bad-json' })).toBe(4);
  });

  it('stops reporting a closed node (its relay and state series leave the scrape), while another node of the registry stays', async () => {
    const metrics = testMetrics();
    const relay = { stats: () => ({ framesIn: 1, framesOut: 1, publishDropped: 0, unackedFull: 0, resent: 0, replayed: 0 }), connectedGateways: () => [{ address: 'a', gatewayId: 'gw-1' }] } as unknown as RelayLink;
    const state = { inboundDrops: () => new Map<RelayFrameRejection, number>(), outbox: { depth: 2, stats: () => ({ dropped: 0 }) } };
    const closing = nodeMetrics(metrics);
    const staying = new NodeMetrics(metrics, 'im-2', new Set());
    const observed = [observeRelay(closing, relay, state), observeRelay(staying, relay, state)];
    const read = { sockets: () => 1, users: () => 1, draining: () => true, readyNow: () => false };
    const stopState = closing.observeState(read);
    staying.observeState(read);
    observed[0]?.dropped('admin_bad-id');
    const before = await metrics.registry.metrics();
    expect(before).toContain('parley_draining{node="im-1"} 1');
    expect(before).toContain('parley_relay_frames_dropped_total{node="im-1",gateway="",reason="admin_bad-id"} 1');
    observed[0]?.stop();
    stopState();
    const after = await metrics.registry.metrics();
    expect(after.split('\n').filter((line) => line.includes('node="im-1"'))).toEqual([]);
    expect(after).toContain('parley_draining{node="im-2"} 1');
    expect(after).toContain('parley_relay_streams_up{node="im-2",gateway="",peer="gw-1"} 1');
  });
});
