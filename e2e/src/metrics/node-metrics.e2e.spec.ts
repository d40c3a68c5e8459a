import { io } from 'socket.io-client';
import { at, findFreePort, startCluster, startRedis, waitFor, type Cluster, type ClusterNode, type RedisService } from '@parley/testing';
import { TestUser, befriend, uniqueName } from '../support/test-user';
import { scrape, type Scrape } from './scrape';

jest.setTimeout(120_000);

/** How the tests below poll a node: every 100 ms, for up to 20 s. */
const POLL = { timeoutMs: 20_000, intervalMs: 100 };

async function readyz(node: ClusterNode): Promise<{ status: number; failed: string[] }> {
  const res = await fetch(`${node.url}/readyz`);
  const body = (await res.json()) as { failed?: string[] };
  return { status: res.status, failed: body.failed ?? [] };
}

/**
 * A live cluster (a gateway, two IM nodes, MariaDB, and a Redis this test
 * owns) scraped before and after traffic: the counters move by exactly what
 * the traffic was, on the node it happened on.
 */
describe('IM node /metrics and /readyz on a live cluster', () => {
  let redis: RedisService;
  let cluster: Cluster;
  let sender: ClusterNode;
  let receiver: ClusterNode;
  const users: TestUser[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    cluster = await startCluster({ nodes: 2, redisUrl: redis.url, name: 'node-metrics' });
    sender = at(cluster.nodes, 0, 'IM node');
    receiver = at(cluster.nodes, 1, 'IM node');
  }, 150_000);

  afterAll(async () => {
    for (const user of users) user.disconnect();
    await cluster?.stop();
    await redis?.stop();
  });

  const node = (n: ClusterNode) => ({ node: n.nodeId });

  it('counts sends, deliveries, refusals and handshakes where they happen', async () => {
    // alice (two sessions) on the sender's node, bob (two sessions) on the receiver's.
    const alice = await TestUser.register(cluster.gatewayUrl, 'metrics-a');
    const bob = await TestUser.register(cluster.gatewayUrl, 'metrics-b');
    const alice2 = TestUser.fromSession(alice);
    const bob2 = TestUser.fromSession(bob);
    users.push(alice, alice2, bob, bob2);
    await Promise.all([alice.connect(sender.url), alice2.connect(sender.url), bob.connect(receiver.url), bob2.connect(receiver.url)]);
    await befriend(alice, bob);

    const [s0, r0] = await Promise.all([scrape(sender.url), scrape(receiver.url)]);
    expect(s0.value('parley_sockets_connected', node(sender))).toBe(2);
    expect(s0.value('parley_users_connected', node(sender))).toBe(1);
    expect(r0.value('parley_sockets_connected', node(receiver))).toBe(2);
    expect(r0.value('parley_ready', node(sender))).toBe(0); // another node's series is not here
    expect(s0.value('parley_ready', node(sender))).toBe(1);
    expect(s0.value('parley_relay_streams_up', { ...node(sender), peer: cluster.gateway.gatewayId })).toBe(1);

    const N = 5;
    for (let i = 0; i < N; i++) await alice.sendText({ type: 'user', id: bob.id }, `m${i}`);
    await Promise.all([bob.waitForMessages(N), bob2.waitForMessages(N), alice2.waitForMessages(N)]);

    const [s1, r1] = await Promise.all([scrape(sender.url), scrape(receiver.url)]);
    const delta = (a: Scrape, b: Scrape, name: string, labels: Record<string, string>) => b.value(name, labels) - a.value(name, labels);
    expect(delta(s0, s1, 'parley_messages_accepted_total', node(sender))).toBe(N);
    expect(delta(r0, r1, 'parley_messages_accepted_total', node(receiver))).toBe(0);
    expect(delta(s0, s1, 'parley_commands_total', { ...node(sender), command: 'message:send', code: 'OK' })).toBe(N);
    expect(delta(s0, s1, 'parley_command_duration_seconds_count', { ...node(sender), command: 'message:send' })).toBe(N);
    // alice's other session here (the sending socket is not pushed to), bob's two over the relay.
    expect(delta(s0, s1, 'parley_deliveries_total', { ...node(sender), source: 'local' })).toBe(N);
    expect(delta(s0, s1, 'parley_deliveries_total', { ...node(sender), source: 'relayed' })).toBe(0);
    expect(delta(r0, r1, 'parley_deliveries_total', { ...node(receiver), source: 'relayed' })).toBe(2 * N);
    expect(delta(r0, r1, 'parley_deliveries_total', { ...node(receiver), source: 'local' })).toBe(0);
    expect(delta(s0, s1, 'parley_relay_frames_total', { ...node(sender), direction: 'out' })).toBeGreaterThanOrEqual(N);
    expect(delta(r0, r1, 'parley_relay_frames_total', { ...node(receiver), direction: 'in' })).toBeGreaterThanOrEqual(N);
    expect(delta(s0, s1, 'parley_store_operation_duration_seconds_count', { ...node(sender), operation: 'appendMessage', result: 'ok' })).toBe(N);
    expect(delta(s0, s1, 'parley_store_batch_size_count', { ...node(sender), operation: 'appendMessage' })).toBeGreaterThanOrEqual(1);
    expect(delta(s0, s1, 'parley_store_batch_size_sum', { ...node(sender), operation: 'appendMessage' })).toBe(N);
    expect(s1.has('parley_redis_operation_duration_seconds_count', { ...node(sender), operation: 'addSession', result: 'ok' })).toBe(true);

    // A retry of a stored send: deduplicated, not accepted; pushed again (clients drop ids they hold).
    const clientMsgId = uniqueName('retry');
    await alice.sendText({ type: 'user', id: bob.id }, 'once', clientMsgId);
    await alice.sendText({ type: 'user', id: bob.id }, 'once', clientMsgId);
    // A refused send (to oneself), an unknown command, a handshake with a bad token.
    const refused = await alice.command('message:send', { to: { type: 'user', id: alice.id }, clientMsgId: uniqueName('self'), kind: 'text', body: { text: 'me' } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    const unknown = await (alice.command as (name: string, payload: unknown) => Promise<{ ok: boolean }>)('no:such-command', {});
    expect(unknown.ok).toBe(false);
    const intruder = io(sender.url, { auth: { token: 'not-a-token' }, transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((resolve) => intruder.once('connect_error', () => resolve()));
    intruder.close();

    const s2 = await scrape(sender.url);
    expect(delta(s1, s2, 'parley_messages_accepted_total', node(sender))).toBe(1);
    expect(delta(s1, s2, 'parley_messages_deduplicated_total', node(sender))).toBe(1);
    expect(delta(s1, s2, 'parley_messages_rejected_total', { ...node(sender), code: 'INVALID_ARGUMENT' })).toBe(1);
    expect(delta(s1, s2, 'parley_commands_total', { ...node(sender), command: 'message:send', code: 'OK' })).toBe(2);
    expect(delta(s1, s2, 'parley_commands_total', { ...node(sender), command: 'message:send', code: 'INVALID_ARGUMENT' })).toBe(1);
    expect(delta(s1, s2, 'parley_commands_total', { ...node(sender), command: 'unknown', code: 'INVALID_ARGUMENT' })).toBe(1);
    // The unknown name itself never becomes a label value.
    expect(s2.has('parley_commands_total', { command: 'no:such-command' })).toBe(false);
    expect(delta(s1, s2, 'parley_handshakes_total', { ...node(sender), outcome: 'unauthorized' })).toBe(1);
    expect(delta(s1, s2, 'parley_handshake_duration_seconds_count', { ...node(sender), outcome: 'unauthorized' })).toBe(1);
    expect(s2.value('parley_handshakes_total', { ...node(sender), outcome: 'ok' })).toBeGreaterThanOrEqual(2);
  });

  it('turns /readyz 503 naming redis while its Redis does not answer, and 200 again when it does', async () => {
    expect(await readyz(sender)).toEqual({ status: 200, failed: [] });
    redis.pause();
    try {
      const down = await waitFor('readyz while Redis is paused', () => readyz(sender), (r) => r.status === 503, POLL);
      expect(down.failed).toContain('redis');
      expect(down.failed).not.toContain('database');
      // Alive all the same: nothing to restart.
      expect((await fetch(`${sender.url}/livez`)).status).toBe(200);
      await waitFor('parley_ready while Redis is paused', () => scrape(sender.url), (s) => s.value('parley_ready', node(sender)) === 0, POLL);
    } finally {
      redis.resume();
    }
    await waitFor('readyz once Redis answers again', () => readyz(sender), (r) => r.status === 200, POLL);
    await waitFor('parley_ready once Redis answers again', () => scrape(sender.url), (s) => s.value('parley_ready', node(sender)) === 1, POLL);
  });
});

describe('IM node with PARLEY_METRICS_PORT', () => {
  let cluster: Cluster;
  let metricsPort: number;

  beforeAll(async () => {
    metricsPort = await findFreePort();
    cluster = await startCluster({ nodes: 1, name: 'node-metrics-port', nodeEnv: { PARLEY_METRICS_PORT: String(metricsPort) } });
  }, 150_000);

  afterAll(() => cluster?.stop());

  it('serves /metrics on its own listener only; the node port answers 404 there and keeps its other endpoints', async () => {
    const node = at(cluster.nodes, 0, 'IM node');
    const own = await scrape(`http://127.0.0.1:${metricsPort}`);
    expect(own.value('parley_ready', { node: node.nodeId })).toBe(1);
    // Node's default metrics come with the process registry.
    expect(own.has('process_cpu_user_seconds_total')).toBe(true);
    expect((await fetch(`${node.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${node.url}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status).toBe(404);
  });

  it('shows a drain while it runs: draining 1, the sessions told to move counted, /readyz 503 naming draining', async () => {
    const node = at(cluster.nodes, 0, 'IM node');
    const user = await TestUser.register(cluster.gatewayUrl, 'metrics-drain');
    const other = TestUser.fromSession(user);
    await Promise.all([user.connect(node.url), other.connect(node.url)]);
    const metricsBase = `http://127.0.0.1:${metricsPort}`;
    expect((await scrape(metricsBase)).value('parley_draining', { node: node.nodeId })).toBe(0);
    // These clients stay put when told to move: the drain waits for them (PARLEY_DRAIN_TIMEOUT_MS), long enough to look.
    node.child.kill('SIGTERM');
    try {
      // Draining turns 1 first (before leaving discovery); the sessions are told right after.
      const draining = await waitFor(
        'sessions handed off during a drain',
        () => scrape(metricsBase),
        (s) => s.value('parley_sessions_handed_off_total', { node: node.nodeId }) > 0,
        POLL,
      );
      expect(draining.value('parley_sessions_handed_off_total', { node: node.nodeId })).toBe(2);
      expect(draining.value('parley_draining', { node: node.nodeId })).toBe(1);
      expect(draining.value('parley_ready', { node: node.nodeId })).toBe(0);
      expect(await readyz(node)).toEqual({ status: 503, failed: ['draining'] });
      await Promise.all([user.waitForEvent('server:draining'), other.waitForEvent('server:draining')]);
    } finally {
      user.disconnect();
      other.disconnect();
    }
    expect(await node.exited).toBe(0);
  });
});
