import crypto from 'node:crypto';
import type { SessionService } from '@parley/domain';
import { decodeRelayFrame, type RoomName } from '@parley/protocol';
import { RelayAuth, RelayClient, RelayServer, type Deliver } from '@parley/relay';
import { startScriptedGateway } from '@parley/relay/testing';
import { rendezvousOrder } from '@parley/relay';
import { createLogger } from '@parley/util-node';
import { startTestSocketServer, type TestSocketServer } from '../testing/socket-server';
import { ControlIds } from './control-ids';
import { RelayOutbox } from './outbox';
import type { RelayPublish } from './relay-link';
import { RoomResync } from './room-resync';
import { watchRelayGaps } from './relay-gap';
import { RelayInbound } from './inbound';
import { LocalRooms } from './local-rooms';
import { MembershipLog } from './membership-log';

const auth = new RelayAuth({ secret: crypto.randomBytes(32).toString('base64url') });
const logger = createLogger({ name: 'test', level: 'silent' });
const clock = { now: () => Date.now() };

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const typing = (messageId: string, room: RoomName): RelayPublish => ({
  rooms: [room],
  event: 'typing',
  payload: new TextEncoder().encode(JSON.stringify({ conversationId: 'd:a:b', userId: 'a' })),
  messageId,
});

/** A node's relay client, recording what reached it. */
function relayNode(nodeId: string, gateways: string[], rooms: RoomName[]): { client: RelayClient; received: Deliver[] } {
  const received: Deliver[] = [];
  const client = new RelayClient({ nodeId, auth, gateways, backoff: { initialMs: 20, maxMs: 100 }, onDeliver: (d) => received.push(d) });
  for (const room of rooms) client.setInterest(room, true);
  return { client, received };
}

describe('relay outage: kept frames reach every interested node, dropped ones are told (gRPC loopback)', () => {
  const stops: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  /** A gateway that was up once and is down now: its address is known, nothing listens. */
  async function downGateway(): Promise<{ server: RelayServer; address: string }> {
    const server = new RelayServer({ gatewayId: 'g1', auth, shutdownGraceMs: 100 });
    const { port } = await server.start();
    server.kill();
    stops.push(() => server.stop());
    return { server, address: `127.0.0.1:${port}` };
  }

  it('frames kept while no gateway was reachable reach a node that connects after they were flushed, once and in order', async () => {
    const { server, address } = await downGateway();
    const origin = relayNode('A', [address], []);
    const outbox = new RelayOutbox(origin.client, logger, clock, new ControlIds('A'));
    origin.client.start();
    stops.push(() => origin.client.stop());
    for (let i = 1; i <= 3; i++) outbox.send(typing(`kept-${i}`, 'user:b'));
    expect(outbox.depth).toBe(3);

    // Up again: A (already retrying) connects and flushes; B connects only afterwards.
    const early = relayNode('E', [address], ['user:b']);
    await server.start();
    early.client.start();
    stops.push(() => early.client.stop());
    await until(() => outbox.depth === 0 && early.received.length === 3);
    expect(outbox.stats().replayBuffer).toBe(3); // flushed, and held for nodes that come later

    const late = relayNode('B', [address], ['user:b']);
    late.client.start();
    stops.push(() => late.client.stop());
    await until(() => late.received.length === 3);
    expect(late.received.map((d) => d.messageId)).toEqual(['kept-1', 'kept-2', 'kept-3']);
    expect(outbox.stats().replayed).toBeGreaterThanOrEqual(3);
    // The replay was addressed to B alone: E, interested in the same room, got each frame once.
    const sentinel = typing('sentinel', 'user:b');
    origin.client.publish(sentinel);
    await until(() => early.received.length === 4 && late.received.length === 4);
    expect(early.received.map((d) => d.messageId)).toEqual(['kept-1', 'kept-2', 'kept-3', 'sentinel']);
  });

  it('frames dropped from a full outbox are told to their rooms with a relay:lost the receivers accept', async () => {
    const { server, address } = await downGateway();
    const origin = relayNode('A', [address], []);
    const outbox = new RelayOutbox(origin.client, logger, clock, new ControlIds('A'), { limit: 2 });
    origin.client.start();
    stops.push(() => origin.client.stop());
    outbox.send(typing('d1', 'user:x'));
    outbox.send(typing('d2', 'group:y'));
    outbox.send(typing('k1', 'user:b'));
    outbox.send(typing('k2', 'user:b'));
    const receiver = relayNode('B', [address], ['user:x', 'group:y', 'user:b']);
    receiver.client.start();
    stops.push(() => receiver.client.stop());
    await server.start();

    // Whichever of A and B reached the gateway first: directly or by replay.
    await until(() => receiver.received.some((d) => d.event === 'relay:lost'));
    await until(() => new Set(receiver.received.map((d) => d.messageId)).size === 3);
    expect(receiver.received.map((d) => d.messageId).filter((id) => id.startsWith('k'))).toEqual(['k1', 'k2']);
    const lost = receiver.received.find((d) => d.event === 'relay:lost') as Deliver;
    const decoded = decodeRelayFrame(lost);
    expect(decoded).toMatchObject({ ok: true, frame: { kind: 'relay:lost', rooms: ['user:x', 'group:y'], originNode: 'A' } });
  });

  it('past maxLostRooms the relay:lost reaches every node, one that held only a forgotten room too', async () => {
    const { server, address } = await downGateway();
    const origin = relayNode('A', [address], []);
    const outbox = new RelayOutbox(origin.client, logger, clock, new ControlIds('A'), { limit: 1, maxLostRooms: 1 });
    origin.client.start();
    stops.push(() => origin.client.stop());
    outbox.send(typing('d1', 'user:x'));
    outbox.send(typing('d2', 'group:forgotten'));
    outbox.send(typing('k1', 'user:b'));
    // C announced only the room the outbox could not remember: no interest routes the notice to it.
    const forgotten = relayNode('C', [address], ['group:forgotten']);
    const remembered = relayNode('B', [address], ['user:x', 'user:b']);
    for (const node of [forgotten, remembered]) {
      node.client.start();
      stops.push(() => node.client.stop());
    }
    await server.start();

    await until(() => forgotten.received.some((d) => d.event === 'relay:lost') && remembered.received.some((d) => d.event === 'relay:lost'));
    for (const node of [forgotten, remembered]) {
      const lost = node.received.filter((d) => d.event === 'relay:lost');
      expect(lost).toHaveLength(1);
      expect(decodeRelayFrame(lost[0] as Deliver)).toMatchObject({ ok: true, frame: { kind: 'relay:lost', payload: { all: true }, originNode: 'A' } });
    }
  });

  it('gateways back staggered: a node that rejoins a restarted gateway after an origin routed through it tells its sessions to sync', async () => {
    const g1 = new RelayServer({ gatewayId: 'g1', auth, shutdownGraceMs: 100 });
    const g2 = new RelayServer({ gatewayId: 'g2', auth, shutdownGraceMs: 100 });
    const [p1, p2] = [(await g1.start()).port, (await g2.start()).port];
    stops.push(() => g1.stop(), () => g2.stop());
    const [a1, a2] = [`127.0.0.1:${p1}`, `127.0.0.1:${p2}`];
    // A room whose frames take g1 (rendezvous order), as the lost share of keys does.
    const room = Array.from({ length: 64 }, (_, i) => `user:s${i}` as RoomName).find((r) => rendezvousOrder([{ address: a1 }, { address: a2 }], r)[0]?.address === a1) as RoomName;

    const sockets = await startTestSocketServer((io) => void io.on('connection', (socket) => void socket.join(room)));
    stops.push(() => sockets.close());
    const resync = new RoomResync(sockets.io, clock, 200);
    stops.push(() => resync.stop());
    const b = relayNode('B', [a1, a2], [room]);
    watchRelayGaps(b.client, resync);
    const a = relayNode('A', [a1, a2], []);
    b.client.start();
    a.client.start();
    stops.push(() => a.client.stop(), () => b.client.stop());
    await until(() => a.client.connectedGateways().length === 2 && b.client.connectedGateways().length === 2);
    const socket = await sockets.open({});
    let notices = 0;
    socket.on('server:resync', () => void notices++);
    await until(() => (sockets.io.of('/').adapter.rooms.get(room)?.size ?? 0) === 1);

    g1.kill();
    await until(() => b.client.connectedGateways().length === 1);
    b.client.setGateways([a2]); // B is slow to come back to g1
    await g1.start();
    await until(() => a.client.connectedGateways().length === 2);
    // A routes the room's frames through g1 again; B is not there: g1 drops them (and acknowledges).
    expect(g1.connectedNodes()).toEqual(['A']);
    expect(a.client.publish(typing('missed', room))).toBe(true);
    await until(() => g1.stats().publishes === 1);

    const before = notices;
    b.client.setGateways([a1, a2]);
    await until(() => b.client.connectedGateways().length === 2);
    await until(() => notices > before);
    expect(b.received.map((d) => d.messageId)).not.toContain('missed');
  });

  describe('RoomsLost from a gateway', () => {
    let sockets: TestSocketServer;
    let resync: RoomResync;
    const notices = new Map<string, number>();

    beforeEach(async () => {
      notices.clear();
      sockets = await startTestSocketServer((io) => {
        resync = new RoomResync(io, clock, 60_000);
        io.on('connection', (socket) => void socket.join((socket.handshake.auth as { rooms: string[] }).rooms));
      });
      stops.push(async () => {
        resync.stop();
        await sockets.close();
      });
    });

    it("a flood of relay:lost from one origin node: at most one server:resync per socket per window", async () => {
      const client = await sockets.open({ auth: { rooms: ['group:g', 'user:a'] } });
      let received = 0;
      client.on('server:resync', () => void received++);
      await until(() => sockets.io.of('/').adapter.rooms.has('group:g'));
      const inbound = new RelayInbound(new LocalRooms(sockets.io, new MembershipLog()), {} as SessionService, { setInterest: () => undefined }, logger, { end: () => 0 }, resync);
      const lost = (i: number, payload: object) => ({ rooms: ['group:g'], event: 'relay:lost', payload: Buffer.from(JSON.stringify(payload)), messageId: `lost-${i}`, originNode: 'im-flood' });
      for (let i = 0; i < 1_000; i++) inbound.receive(lost(i, i % 2 === 0 ? {} : { all: true }));
      expect(inbound.dropCounts().size).toBe(0); // all accepted
      expect(resync.sent).toBe(1); // the rest wait for the window's end (60 s here), as one
      await until(() => received === 1);
    });

    it('a thousand RoomsLost at once: one server:resync per socket in those rooms, none elsewhere', async () => {
      for (const [name, rooms] of [
        ['in-group', ['group:g', 'user:a']],
        ['own-room', ['user:b']],
        ['elsewhere', ['user:c', 'group:other']],
      ] as const) {
        const client = await sockets.open({ auth: { rooms } });
        notices.set(name, 0);
        client.on('server:resync', () => notices.set(name, (notices.get(name) ?? 0) + 1));
      }
      await until(() => sockets.io.of('/').adapter.rooms.has('group:other'));
      // A gateway (it holds the secret) that welcomes the node, then reports lost rooms a thousand times at once.
      const report = { lost: { rooms: ['group:g', 'user:b', 'user:not-here'] } };
      const gateway = await startScriptedGateway(auth, [], Array.from({ length: 1_000 }, () => report));
      stops.push(() => gateway.close());
      const node = relayNode('N', [gateway.address], ['group:g', 'user:a', 'user:b', 'user:c', 'group:other']);
      let reports = 0;
      node.client.on('rooms:lost', (rooms) => {
        reports++;
        resync.rooms(rooms);
      });
      node.client.start();
      stops.push(() => node.client.stop());
      await until(() => reports === 1_000);
      await until(() => notices.get('in-group') === 1 && notices.get('own-room') === 1);
      // The node passes on only rooms it announced ('user:not-here' is not one).
      expect(node.client.stats().roomsLost).toBe(2_000);
      expect(resync.sent).toBe(2);
      expect(notices.get('elsewhere')).toBe(0);
    });
  });
});
