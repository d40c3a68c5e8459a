import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { RelayAuth, streamCredential } from './auth';
import type { Deliver, RelayPublish } from './deliver';
import type { GatewayFrame, GatewayFrame__Output } from './generated/parley/relay/v1/GatewayFrame';
import type { NodeFrame } from './generated/parley/relay/v1/NodeFrame';
import { loadRelayProto } from './proto';
import { RELAY_BACKOFF, type RelayClientOptions } from './relay-client.grpc';
import { RelayServer, type RelayServerOptions } from './relay-server.grpc';
import { rendezvousOrder } from './publish-route';
import { startScriptedGateway, type ScriptedGateway } from './testing';
import { auth, json, TestNode, waitUntil } from './testing/relay-test-kit';

const frame = (room: string, i: number, extra: Partial<RelayPublish> = {}): RelayPublish => ({
  rooms: [room as RelayPublish['rooms'][number]],
  event: 'e',
  payload: json({ room, i }),
  messageId: `${room}#${i}`,
  ...extra,
});
const indexOf = (d: Deliver): number => (JSON.parse(d.payload.toString('utf8')) as { i: number }).i;

/** Per room, the payload indexes in arrival order. */
function arrivals(received: readonly Deliver[]): Map<string, number[]> {
  const byRoom = new Map<string, number[]>();
  for (const d of received) {
    const room = d.rooms[0] ?? '';
    byRoom.set(room, [...(byRoom.get(room) ?? []), indexOf(d)]);
  }
  return byRoom;
}

const ascending = (values: readonly number[]): boolean => values.every((v, i) => i === 0 || v > (values[i - 1] ?? -1));

/** Lets the event loop turn (streams flush, acks come back) without waiting for time. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('relay: spread, failover and nothing dropped silently (gRPC loopback)', () => {
  const servers: RelayServer[] = [];
  const nodes: TestNode[] = [];
  const cleanups: (() => void)[] = [];

  async function startServer(gatewayId: string, options: Partial<RelayServerOptions> = {}): Promise<{ server: RelayServer; address: string }> {
    const server = new RelayServer({ gatewayId, auth, host: '127.0.0.1', port: 0, shutdownGraceMs: 200, ...options });
    servers.push(server);
    const { port } = await server.start();
    return { server, address: `127.0.0.1:${port}` };
  }

  function node(nodeId: string, gateways: string[], rooms: string[] = [], options: Partial<RelayClientOptions> = {}): TestNode {
    const n = new TestNode(nodeId, gateways, rooms as RelayPublish['rooms'][number][], options);
    nodes.push(n);
    n.client.start();
    return n;
  }

  /** A raw stream that says Hello and then lets the test read (or not read) what comes back. */
  function rawNode(address: string, nodeId: string, rooms: string[]): { call: grpc.ClientDuplexStream<NodeFrame, GatewayFrame__Output>; frames: GatewayFrame__Output[]; events: EventEmitter } {
    const proto = loadRelayProto();
    const stub = new proto.parley.relay.v1.Relay(address, grpc.credentials.createInsecure());
    const call = stub.Connect(streamCredential(auth, nodeId, address).metadata);
    const frames: GatewayFrame__Output[] = [];
    const events = new EventEmitter();
    call.on('error', () => undefined);
    call.on('data', (f: GatewayFrame__Output) => {
      frames.push(f);
      events.emit('frame');
    });
    call.write({ hello: { nodeId, rooms } });
    cleanups.push(() => {
      call.cancel();
      stub.close();
    });
    return { call, frames, events };
  }

  const interestOf = (server: RelayServer, nodeId: string, count: number) => waitUntil(server, 'interest', () => server.interestOf(nodeId).size === count);

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) cleanup();
    await Promise.all(nodes.splice(0).map((n) => n.client.stop()));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  it('spreads room sets over both gateways, each set always through the same one and in order', async () => {
    const g1 = await startServer('g1');
    const g2 = await startServer('g2');
    const rooms = Array.from({ length: 40 }, (_, i) => `group:r${i}`);
    const n = node('N', [g1.address, g2.address]);
    const m = node('M', [g1.address, g2.address], rooms);
    await Promise.all([n.ready(2), m.ready(2)]);
    await Promise.all([interestOf(g1.server, 'M', 40), interestOf(g2.server, 'M', 40)]);

    for (let i = 0; i < 5; i++) for (const room of rooms) expect(n.client.publish(frame(room, i))).toBe(true);
    await waitUntil(m, 'deliver', () => m.received.length === 200);

    const gatewaysOfRoom = new Map<string, Set<string>>();
    for (const d of m.received) gatewaysOfRoom.set(d.rooms[0] ?? '', new Set([...(gatewaysOfRoom.get(d.rooms[0] ?? '') ?? []), d.gatewayId]));
    for (const used of gatewaysOfRoom.values()) expect(used.size).toBe(1);
    for (const order of arrivals(m.received).values()) expect(order).toEqual([0, 1, 2, 3, 4]);
    const [p1, p2] = [g1.server.stats().publishes, g2.server.stats().publishes];
    expect(p1 + p2).toBe(200);
    // 40 keys over two gateways: each takes a real share (binomial, 40 keys: 10..30 by far).
    expect(Math.min(p1, p2)).toBeGreaterThanOrEqual(25);
  });

  it('a gateway killed mid-traffic loses nothing: its unacknowledged publishes go through the other, each applied once, in order', async () => {
    const g1 = await startServer('g1');
    const g2 = await startServer('g2');
    const rooms = Array.from({ length: 10 }, (_, i) => `group:k${i}`);
    const n = node('N', [g1.address, g2.address]);
    const m = node('M', [g1.address, g2.address], rooms);
    await Promise.all([n.ready(2), m.ready(2)]);
    await Promise.all([interestOf(g1.server, 'M', 10), interestOf(g2.server, 'M', 10)]);

    const perRoom = 30;
    for (let i = 0; i < perRoom; i++) {
      for (const room of rooms) expect(n.client.publish(frame(room, i))).toBe(true);
      // Killed with a batch just written and not yet read: those cannot have been acknowledged.
      if (i === 10) g1.server.kill();
      await tick();
    }
    // A gRPC stream carries about one message per event-loop turn: on a loaded machine this takes seconds.
    const all = rooms.length * perRoom;
    await waitUntil(m, 'deliver', () => new Set(m.messageIds()).size === all, 25_000).catch(() => {
      throw new Error(`${all - new Set(m.messageIds()).size} of ${all} frames never arrived (sender: ${JSON.stringify(n.client.stats())})`);
    });

    expect(m.received).toHaveLength(rooms.length * perRoom); // no frame applied twice
    for (const [room, order] of arrivals(m.received)) {
      expect({ room, ordered: ascending(order), count: order.length }).toEqual({ room, ordered: true, count: perRoom });
    }
    expect(n.client.stats().resent).toBeGreaterThan(0);
    expect(n.client.connectedGateways().map((g) => g.gatewayId)).toEqual(['g2']);
  });

  it('acknowledges publishes cumulatively, at most once per tick', async () => {
    const { server, address } = await startServer('g1');
    const raw = rawNode(address, 'R', []);
    await waitUntil(raw.events, 'frame', () => raw.frames.some((f) => f.frame === 'welcome'));
    for (let seq = 1; seq <= 20; seq++) raw.call.write({ publish: { rooms: ['user:nobody'], event: 'e', payload: json(seq), messageId: `p${seq}`, seq } });
    await waitUntil(raw.events, 'frame', () => raw.frames.some((f) => f.published?.seq === 20));
    const acks = raw.frames.filter((f) => f.frame === 'published').map((f) => f.published?.seq ?? 0);
    // Cumulative: strictly rising, never past what was sent, ending at the last one. How
    // many there are depends on how the 20 publishes fall into ticks (one ack per tick).
    expect(ascending(acks)).toBe(true);
    expect(acks.every((seq) => seq >= 1 && seq <= 20)).toBe(true);
    expect(acks.at(-1)).toBe(20);
    expect(acks.length).toBeLessThanOrEqual(20);
    expect(server.stats().acks).toBe(acks.length);
  });

  it("reports the rooms of Deliver frames dropped toward a full node once its queue drains, in one RoomsLost naming only the rooms of dropped frames", async () => {
    const { server, address } = await startServer('g1', { maxBufferedFrames: 4 });
    const publisher = node('P', [address]);
    const slow = rawNode(address, 'S', ['group:a', 'group:b', 'group:quiet']);
    await publisher.ready();
    await interestOf(server, 'S', 3);
    slow.call.pause();

    const big = Buffer.alloc(32 * 1024, 'x').toString();
    let sent = 0;
    while (sent < 400 && server.stats().dropped < 2) {
      publisher.client.publish({ rooms: [sent % 2 ? 'group:a' : 'group:b'], event: 'e', payload: json(big), messageId: `big${sent}` });
      sent++;
      await tick();
    }
    // Every publish routed (no more drops can follow), the node still not reading.
    await waitUntil(server, 'publish', () => server.stats().publishes === sent, 10_000);
    expect(server.stats().dropped).toBeGreaterThanOrEqual(2);
    expect(slow.frames.filter((f) => f.frame === 'lost')).toEqual([]); // not while still full
    slow.call.resume();
    await waitUntil(slow.events, 'frame', () => slow.frames.some((f) => f.frame === 'lost'));
    // A frame after the report: had a second report been sent, it would be here by then.
    publisher.client.publish({ rooms: ['group:quiet'], event: 'e', payload: json(0), messageId: 'after' });
    await waitUntil(slow.events, 'frame', () => slow.frames.some((f) => f.deliver?.messageId === 'after'));
    const lost = slow.frames.filter((f) => f.frame === 'lost');
    expect(lost).toHaveLength(1); // many drops, one report
    const named = new Set(lost[0]?.lost?.rooms);
    expect([...named].every((room) => room === 'group:a' || room === 'group:b')).toBe(true);
    expect(named.size).toBeGreaterThan(0);
    expect(server.stats().roomsLost).toBe(named.size);
  });

  it("tells every other node when a node's stream opens (PeerUp), and a directed publish reaches only that node's announced rooms", async () => {
    const { server, address } = await startServer('g1');
    const a = node('A', [address], ['user:a']);
    const b = node('B', [address], ['user:b', 'user:shared']);
    await Promise.all([a.ready(), b.ready()]);
    const peers: string[] = [];
    a.client.on('peer:up', (nodeId, via) => peers.push(`A<-${nodeId}@${via === address}`));
    b.client.on('peer:up', (nodeId, via) => peers.push(`B<-${nodeId}@${via === address}`));
    const late = node('L', [address], ['user:l', 'user:shared']);
    late.client.on('peer:up', (nodeId) => peers.push(`L<-${nodeId}`));
    await late.ready();
    await interestOf(server, 'L', 2);
    await Promise.all([a, b].map((n, i) => waitUntil(n.client, 'peer:up', () => peers.some((p) => p.startsWith(i === 0 ? 'A' : 'B')))));
    expect(peers.sort()).toEqual(['A<-L@true', 'B<-L@true']);

    a.client.publish({ rooms: ['user:l', 'user:shared', 'user:b'], event: 'e', payload: json(1), messageId: 'replay', toNode: 'L' });
    // A room L never announced: a directed publish cannot reach it.
    a.client.publish({ rooms: ['user:b'], event: 'e', payload: json(2), messageId: 'not-yours', toNode: 'L' });
    a.client.publish({ rooms: ['user:l', 'user:b'], event: 'e', payload: json(3), messageId: 'sentinel' });
    await Promise.all([late.waitFor('sentinel'), b.waitFor('sentinel')]);
    expect(late.messageIds()).toEqual(['replay', 'sentinel']);
    expect(late.received[0]?.rooms.slice().sort()).toEqual(['user:l', 'user:shared']);
    expect(b.messageIds()).toEqual(['sentinel']);
    expect(a.client.stats().replayed).toBe(2);
    expect(server.stats().directed).toBe(2);
  });

  it('applies a frame once per (origin, event, message id): a second copy is dropped, another event with the same id is not', async () => {
    const { server, address } = await startServer('g1');
    const a = node('A', [address]);
    const b = node('B', [address], ['user:b']);
    await Promise.all([a.ready(), b.ready()]);
    await interestOf(server, 'B', 1);
    a.client.publish({ rooms: ['user:b'], event: 'e', payload: json(1), messageId: 'same' });
    a.client.publish({ rooms: ['user:b'], event: 'e', payload: json(1), messageId: 'same' });
    a.client.publish({ rooms: ['user:b'], event: 'other', payload: json(1), messageId: 'same' });
    a.client.publish({ rooms: ['user:b'], event: 'e', payload: json(1), messageId: 'sentinel' });
    await b.waitFor('sentinel');
    expect(b.received.map((d) => `${d.event}:${d.messageId}`)).toEqual(['e:same', 'other:same', 'e:sentinel']);
    expect(b.client.stats().deduplicated).toBe(1);
  });

  it('hands back, in order, what a lost gateway never acknowledged when no other is ready; a barrier on it is unconfirmed', async () => {
    const g = await startServer('g1');
    const n = node('N', [g.address]);
    const m = node('M', [g.address], ['group:g']);
    await Promise.all([n.ready(), m.ready()]);
    await interestOf(g.server, 'M', 1);
    m.holdBarriers = true;
    const stranded: string[] = [];
    n.client.on('publish:stranded', (frames) => stranded.push(...frames.map((f) => f.messageId)));
    const barrier = n.client.publishConfirmed(frame('group:g', 0), 5_000);
    for (let i = 1; i <= 5; i++) n.client.publish(frame('group:g', i));
    g.server.kill();
    expect(await barrier).toBe('unconfirmed');
    expect(stranded).toEqual([0, 1, 2, 3, 4, 5].map((i) => `group:g#${i}`));
    expect(n.client.stats().stranded).toBe(6);
  });

  it('is back on a restarted gateway once it listens again (default backoff, capped at 1 s)', async () => {
    expect(RELAY_BACKOFF).toEqual({ initialMs: 100, maxMs: 1_000 });
    const g = await startServer('g1');
    // Default backoff: the one the apps use.
    const n = new TestNode('N', [g.address], [], { backoff: undefined });
    nodes.push(n);
    n.client.start();
    await n.ready();
    const down = new Promise((resolve) => n.client.once('gateway:down', resolve));
    g.server.kill();
    await down;
    expect(n.client.connectedGateways()).toEqual([]);
    await g.server.start();
    await n.ready();
    expect(n.client.connectedGateways().map((c) => c.gatewayId)).toEqual(['g1']);
  });

  it("a full queue toward a node drops node publishes, never the gateway's own frames (session:end), barriers or control frames", async () => {
    // 0: the queue toward every node counts as full from the start.
    const g = await startServer('g1', { maxBufferedFrames: 0 });
    const n = node('N', [g.address]);
    const m = node('M', [g.address], ['user:u']);
    await Promise.all([n.ready(), m.ready()]); // Welcome went through
    await interestOf(g.server, 'M', 1);
    expect(n.client.publish(frame('user:u', 0))).toBe(true);
    await waitUntil(g.server, 'publish', () => g.server.stats().dropped >= 1);
    const reached = g.server.deliverOwn({ rooms: ['user:u'], event: 'session:end', payload: json({ userId: 'u', sessionIds: ['s'], reason: 'revoked' }), messageId: 'end-1' });
    expect(reached).toEqual(['M']);
    await m.waitFor('end-1');
    // A barrier reaches M and is confirmed (BarrierRouted and BarrierConfirmed through a full queue too).
    expect(await n.client.publishConfirmed(frame('user:u', 1), 5_000)).toBe('confirmed');
    expect(m.messageIds()).toEqual(['end-1', 'user:u#1']);
    // Interest deltas are still acknowledged (Applied).
    n.client.setInterest('user:n' as RelayPublish['rooms'][number], true);
    await n.client.announce(5_000);
    expect(g.server.interestOf('N').has('user:n')).toBe(true);
  });

  it("tells a flapping node's PeerUp once per window, and once more when the window ends", async () => {
    async function flap(peerUpEveryMs: number, gatewayId: string): Promise<{ server: RelayServer; peerUps: () => number; events: EventEmitter }> {
      const { server, address } = await startServer(gatewayId, { peerUpEveryMs });
      const observer = rawNode(address, 'O', []);
      await waitUntil(observer.events, 'frame', () => observer.frames.some((f) => f.frame === 'welcome'));
      const connected = new Promise<void>((resolve) => {
        let count = 0;
        server.on('node:connected', (nodeId) => void (nodeId === 'X' && ++count === 3 && resolve()));
      });
      for (let i = 0; i < 3; i++) rawNode(address, 'X', []); // each replaces the one before
      await connected;
      return { server, peerUps: () => observer.frames.filter((f) => f.peerUp?.nodeId === 'X').length, events: observer.events };
    }
    // A window longer than the test: three connects, one PeerUp (written at connect, so counted by now).
    const long = await flap(60_000, 'g1');
    expect(long.server.stats().peerUps).toBe(1);
    // A short one: the connects inside it are told once more when it ends.
    const short = await flap(300, 'g2');
    const atConnect = short.server.stats().peerUps;
    await waitUntil(short.events, 'frame', () => short.peerUps() === atConnect + 1);
    expect(short.server.stats().peerUps).toBe(atConnect + 1);
  });

  it("a key whose unacknowledged publish holds a full link waits (publish refused) instead of overtaking it through another link", async () => {
    // A gateway that welcomes and never acknowledges: its publishes stay unacknowledged.
    const silent = await startScriptedGateway(auth, [], []);
    cleanups.push(() => silent.close());
    const g2 = await startServer('g2');
    const n = node('N', [silent.address, g2.address], [], { maxBufferedFrames: 2 });
    await n.ready(2);
    const silentLink = { address: silent.address };
    const onSilent = (room: string) => rendezvousOrder([silentLink, { address: g2.address }], room)[0] === silentLink;
    const rooms = Array.from({ length: 64 }, (_, i) => `group:o${i}`);
    const pinnedRoom = rooms.find(onSilent) as string;
    const otherRoom = rooms.filter(onSilent)[1] as string;
    expect(n.client.publish(frame(pinnedRoom, 0))).toBe(true);
    expect(n.client.publish(frame(pinnedRoom, 1))).toBe(true);
    // Read by the gateway (Hello and both): out of the node's write queue, so only the unacked cap is full.
    await waitUntil(silent.connections, 'frame', () => silent.connections.framesIn >= 3);
    // Two unacknowledged on the silent link (its cap): frame 2 must not go to g2 ahead of 0 and 1.
    expect(n.client.publish(frame(pinnedRoom, 2))).toBe(false);
    expect(g2.server.stats().publishes).toBe(0);
    expect(n.client.stats().unackedFull).toBe(1);
    // A key with nothing in flight still fails over to the next link in its order.
    expect(n.client.publish(frame(otherRoom, 0))).toBe(true);
    await waitUntil(g2.server, 'publish', () => g2.server.stats().publishes === 1);
    expect(n.client.stats().unackedFull).toBe(2);
  });

  it('resending a lost link\'s publishes keeps the same rule: once the key is pinned on a full link, the rest are handed back, not sent through a third', async () => {
    // Two gateways that welcome and never acknowledge, and a real one.
    const doomed = await startScriptedGateway(auth, [], []);
    const silent = await startScriptedGateway(auth, [], []);
    cleanups.push(() => doomed.close(), () => silent.close());
    const g3 = await startServer('g3');
    const n = node('N', [doomed.address, silent.address, g3.address], [], { maxBufferedFrames: 2 });
    await n.ready(3);
    const links = [doomed, silent, g3].map((g) => ({ address: g.address }));
    const room = Array.from({ length: 512 }, (_, i) => `group:r${i}`).find((r) => rendezvousOrder(links, r).every((l, i) => l === links[i])) as string;
    // The silent gateway already holds one unacknowledged publish (of its own key): one more fills it.
    const its = Array.from({ length: 512 }, (_, i) => `group:s${i}`).find((r) => rendezvousOrder(links, r)[0] === links[1]) as string;
    expect(n.client.publish(frame(its, 0))).toBe(true);
    expect(n.client.publish(frame(room, 0))).toBe(true);
    expect(n.client.publish(frame(room, 1))).toBe(true);
    await waitUntil(doomed.connections, 'frame', () => doomed.connections.framesIn >= 3);
    await waitUntil(silent.connections, 'frame', () => silent.connections.framesIn >= 2);
    const stranded: string[] = [];
    n.client.on('publish:stranded', (frames) => stranded.push(...frames.map((f) => f.messageId)));
    const down = new Promise((resolve) => n.client.once('gateway:down', resolve));
    doomed.close();
    await down;
    // #0 went to the silent gateway (next in order), pinning the key there; #1 must not overtake it through g3.
    expect(n.client.stats().resent).toBe(1);
    expect(stranded).toEqual([`${room}#1`]);
    expect(g3.server.stats().publishes).toBe(0);
  });

  describe('who may send RoomsLost, PeerUp and PublishAck', () => {
    async function listener(secretOf: RelayAuth, before: GatewayFrame[], after: GatewayFrame[]): Promise<ScriptedGateway> {
      const gateway = await startScriptedGateway(secretOf, before, after);
      cleanups.push(() => gateway.close());
      return gateway;
    }

    const reports: GatewayFrame[] = [{ lost: { rooms: ['user:v', 'user:someone-else'] } }, { peerUp: { nodeId: 'X' } }, { published: { seq: 1 } }];

    it('a listener that cannot prove the cluster secret makes a node neither resync nor replay', async () => {
      const impostor = await listener(new RelayAuth({ secret: crypto.randomBytes(32).toString('base64url') }), reports, reports);
      const victim = node('V', [impostor.address], ['user:v']);
      const heard: string[] = [];
      victim.client.on('rooms:lost', (rooms) => heard.push(`lost ${rooms.join()}`));
      victim.client.on('peer:up', (nodeId) => heard.push(`peer ${nodeId}`));
      // The node drops each stream at the bad Welcome and comes back: by the third, the first one's frames were all read.
      await waitUntil(impostor.connections, 'connect', () => impostor.connections.count >= 3);
      // Something was attempted: the node read the reports sent before each bad Welcome, and the Welcome.
      expect(victim.client.stats().framesIn).toBeGreaterThanOrEqual(reports.length + 1);
      expect(heard).toEqual([]);
      expect(victim.client.connectedGateways()).toEqual([]);
      expect(victim.client.stats().roomsLost).toBe(0);
    });

    it('from a gateway, frames before its Welcome are ignored, and RoomsLost names only rooms the node announced', async () => {
      const early: GatewayFrame[] = [{ lost: { rooms: ['user:v'] } }, { peerUp: { nodeId: 'early' } }];
      const gateway = await listener(auth, early, reports);
      const n = node('V', [gateway.address], ['user:v']);
      const heard: string[] = [];
      n.client.on('rooms:lost', (rooms) => heard.push(`lost ${rooms.join()}`));
      n.client.on('peer:up', (nodeId) => heard.push(`peer ${nodeId}`));
      await waitUntil(n.client, 'peer:up', () => heard.includes('peer X'));
      expect(heard).toEqual(['lost user:v', 'peer X']);
      expect(n.client.stats().roomsLost).toBe(1);
    });
  });
});
