import crypto from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { waitFor } from '@parley/testing';
import { silentLogger } from '@parley/util';
import { RelayAuth, streamCredential } from './auth';
import type { GatewayFrame, GatewayFrame__Output } from './generated/parley/relay/v1/GatewayFrame';
import type { NodeFrame } from './generated/parley/relay/v1/NodeFrame';
import type { NodeStats } from './generated/parley/relay/v1/NodeStats';
import type { NodeStatsInput } from './node-stats';
import { loadRelayProto } from './proto';
import type { RelayClientOptions } from './relay-client.grpc';
import { RelayServer } from './relay-server.grpc';
import { startScriptedGateway } from './testing';
import { auth, sorted, TestNode, waitUntil } from './testing/relay-test-kit';

const input = (over: Partial<NodeStatsInput> = {}): NodeStatsInput => ({
  sockets: 3,
  users: 2,
  messagesAccepted: 10,
  deliveries: 20,
  outboxDepth: 0,
  ready: true,
  draining: false,
  startedAt: 1_000,
  url: 'http://127.0.0.1:9101',
  ...over,
});

/** Frames arrive on the event loop and nothing emits per stats frame: look every 10 ms, for up to 5 s. */
const POLL = { timeoutMs: 5_000, intervalMs: 10 };

type Received = { id: string; kind: string; payload: string; gatewayId: string };

describe('relay NodeStats and AdminCommand frames', () => {
  const servers: RelayServer[] = [];
  const nodes: TestNode[] = [];
  const cleanups: (() => void)[] = [];

  async function startServer(gatewayId: string): Promise<{ server: RelayServer; address: string }> {
    const server = new RelayServer({ gatewayId, auth, host: '127.0.0.1', port: 0, shutdownGraceMs: 200 });
    servers.push(server);
    const { port } = await server.start();
    return { server, address: `127.0.0.1:${port}` };
  }

  function node(nodeId: string, gateways: string[], options: Partial<RelayClientOptions> = {}): TestNode & { admin: Received[] } {
    const admin: Received[] = [];
    const n = new TestNode(nodeId, gateways, [], {
      statsIntervalMs: 50,
      onAdminCommand: (command, gatewayId) => {
        admin.push({ id: command.id, kind: command.kind, payload: Buffer.from(command.payload).toString(), gatewayId });
        n.emit('admin');
      },
      ...options,
    });
    nodes.push(n);
    n.client.start();
    return Object.assign(n, { admin });
  }

  /** A raw node stream (authenticated as `nodeId`) that says Hello and then writes what the test wants. */
  function rawNode(address: string, nodeId: string): { call: grpc.ClientDuplexStream<NodeFrame, GatewayFrame__Output>; status: Promise<grpc.StatusObject> } {
    const proto = loadRelayProto();
    const stub = new proto.parley.relay.v1.Relay(address, grpc.credentials.createInsecure());
    cleanups.push(() => stub.close());
    const call = stub.Connect(streamCredential(auth, nodeId, address).metadata);
    call.on('error', () => undefined);
    cleanups.push(() => call.cancel());
    const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    call.write({ hello: { nodeId, rooms: [] } });
    return { call, status };
  }

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) cleanup();
    await Promise.all(nodes.splice(0).map((n) => n.client.stop()));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  it('a node reports its stats on every ready stream; each gateway keeps its latest row, marked gone once its stream ends', async () => {
    const g1 = await startServer('g1');
    const g2 = await startServer('g2');
    let sockets = 3;
    const a = node('A', [g1.address, g2.address], { nodeStats: () => input({ sockets }) });
    await a.ready(2);
    const reported = (server: RelayServer, want: number) =>
      waitFor(
        `a report of ${want} sockets on both streams`,
        () => server.nodeReports(),
        (rows) => rows.some((r) => r.stats.sockets === want && r.stats.gateways.length === 2),
        POLL,
      );
    await reported(g1.server, 3);
    await reported(g2.server, 3);
    const [row] = g1.server.nodeReports();
    expect(row).toMatchObject({ nodeId: 'A', connected: true, stats: { users: 2, messagesAccepted: 10, deliveries: 20, ready: true, url: 'http://127.0.0.1:9101', startedAt: 1_000 } });
    expect(sorted(row?.stats.gateways ?? [])).toEqual(['g1', 'g2']);
    expect(row?.stats.relayFramesOut).toBeGreaterThan(0);

    sockets = 7;
    await reported(g1.server, 7);
    expect(g1.server.nodeReports()).toHaveLength(1);

    await a.client.stop();
    await waitFor('no node on g1', () => g1.server.connectedNodes(), (ids) => ids.length === 0, POLL);
    expect(g1.server.nodeReports()).toEqual([expect.objectContaining({ nodeId: 'A', connected: false })]);
  });

  it('sendAdmin writes to the one node named, broadcastAdmin to all; each names the nodes written; an unknown node gets nothing', async () => {
    const { server, address } = await startServer('g1');
    const a = node('A', [address]);
    const b = node('B', [address]);
    await a.ready();
    await b.ready();
    await waitFor('two nodes connected', () => server.connectedNodes(), (ids) => ids.length === 2, POLL);
    const notice = { id: 'n1', kind: 'notice', payload: Buffer.from('{"x":1}') };
    expect(sorted(server.broadcastAdmin(notice))).toEqual(['A', 'B']);
    expect(server.sendAdmin({ node: 'B' }, { id: 'd1', kind: 'drain', payload: Buffer.from('{}') })).toEqual(['B']);
    expect(server.sendAdmin({ node: 'nobody' }, notice)).toEqual([]);
    // No node id means every node: 'all' is just a name nobody has here.
    expect(server.sendAdmin({ node: 'all' }, notice)).toEqual([]);
    await waitUntil(b, 'admin', () => b.admin.length === 2);
    await waitUntil(a, 'admin', () => a.admin.length === 1);
    expect(a.admin).toEqual([{ id: 'n1', kind: 'notice', payload: '{"x":1}', gatewayId: 'g1' }]);
    expect(b.admin.map((c) => c.kind)).toEqual(['notice', 'drain']);
    expect(server.stats().adminCommands).toBe(3);
  });

  it('a node cannot send an AdminCommand: the frame is not one a node may write, and its stream ends', async () => {
    const { server, address } = await startServer('g1');
    const victim = node('V', [address]);
    await victim.ready();
    const raw = rawNode(address, 'evil');
    await waitFor('the raw node connected', () => server.connectedNodes(), (ids) => ids.includes('evil'), POLL);
    // What a gateway would send, written as a node frame: the node's schema has no such field, so it arrives empty.
    const forged = { admin: { id: 'x', kind: 'drain', payload: Buffer.from('{"by":"evil"}') } } as unknown as NodeFrame;
    raw.call.write(forged);
    expect((await raw.status).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(server.connectedNodes()).toEqual(['V']);
    expect(victim.admin).toEqual([]);
    expect(victim.client.stats().adminCommands).toBe(0);
  });

  it('AdminCommand is surfaced only from a gateway whose Welcome proved the cluster secret, never before its Welcome', async () => {
    const command: GatewayFrame = { admin: { id: 'c1', kind: 'drain', payload: Buffer.from('{"by":"x"}') } };
    const impostor = await startScriptedGateway(new RelayAuth({ secret: crypto.randomBytes(32).toString('base64url') }), [command], [command]);
    cleanups.push(() => impostor.close());
    const victim = node('V', [impostor.address]);
    await waitUntil(impostor.connections, 'connect', () => impostor.connections.count >= 3);
    expect(victim.client.stats().framesIn).toBeGreaterThanOrEqual(2);
    expect(victim.admin).toEqual([]);

    const early: GatewayFrame = { admin: { id: 'early', kind: 'notice', payload: Buffer.from('{}') } };
    const real = await startScriptedGateway(auth, [early], [command]);
    cleanups.push(() => real.close());
    const n = node('N', [real.address]);
    await waitUntil(n, 'admin', () => n.admin.length >= 1);
    expect(n.admin.map((c) => c.id)).toEqual(['c1']);
  });

  it('a stats flood from one node only overwrites its own row; invalid reports are refused and counted', async () => {
    const { server, address } = await startServer('g1');
    const other = node('O', [address], { nodeStats: () => input({ sockets: 1 }) });
    await other.ready();
    const raw = rawNode(address, 'flood');
    const stats = (over: Partial<NodeStats>): NodeFrame => ({ stats: { ...validStats, ...over } });
    for (let i = 1; i <= 5_000; i++) raw.call.write(stats({ sockets: i }));
    raw.call.write(stats({ messagesAccepted: Number.NaN, sockets: 1 }));
    raw.call.write(stats({ deliveries: -1, sockets: 1 }));
    raw.call.write(stats({ at: Number.POSITIVE_INFINITY, sockets: 1 }));
    raw.call.write(stats({ gateways: Array.from({ length: 100 }, (_, i) => `g${i}`), sockets: 1 }));
    raw.call.write(stats({ url: 'x'.repeat(5_000), sockets: 1 }));
    // 5,000 frames through gRPC take 1.5 s on an idle machine and over 5 s on a loaded one: room to finish, not a time to meet.
    await waitFor('five reports refused', () => server.stats().statsRejected, (n) => n === 5, { ...POLL, timeoutMs: 20_000 });
    expect(server.stats().statsReports).toBeGreaterThanOrEqual(5_000);
    const rows = server.nodeReports();
    expect(sorted(rows.map((r) => r.nodeId))).toEqual(['O', 'flood']);
    expect(rows.find((r) => r.nodeId === 'flood')?.stats.sockets).toBe(5_000);
    expect(rows.find((r) => r.nodeId === 'O')?.stats.sockets).toBe(1);
    // The stream is still open: bad numbers are refused, not punished with a reconnect storm.
    expect(server.connectedNodes()).toContain('flood');
  });

  it('an async stats provider whose answer breaks the report is logged as a warning, not an unhandled rejection, and the stream stays up', async () => {
    const { server, address } = await startServer('g1');
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (_fields: object, message?: string) => void warnings.push(message ?? '') };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    cleanups.push(() => process.off('unhandledRejection', onUnhandled));
    // null makes building the report throw inside the .then step, after the provider answered.
    const a = node('A', [address], { logger, nodeStats: () => Promise.resolve(null as unknown as NodeStatsInput) });
    await a.ready();
    await waitFor('two warnings', () => warnings.filter((m) => m.includes('node stats provider failed')).length, (n) => n >= 2, POLL);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
    expect(server.connectedNodes()).toContain('A');
  });
});

const validStats: NodeStats = {
  sockets: 0,
  users: 0,
  messagesAccepted: 0,
  deliveries: 0,
  relayFramesIn: 0,
  relayFramesOut: 0,
  outboxDepth: 0,
  ready: true,
  draining: false,
  gateways: [],
  startedAt: 1,
  at: 2,
  url: 'http://n',
};
