import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import type { RoomName } from '@parley/protocol';
import type { Deliver } from './deliver';
import type { GatewayFrame__Output } from './generated/parley/relay/v1/GatewayFrame';
import type { NodeFrame } from './generated/parley/relay/v1/NodeFrame';
import { loadRelayProto } from './proto';
import type { RelayClientOptions } from './relay-client.grpc';
import { RelayServer } from './relay-server.grpc';
import { streamCredential } from './auth';
import { auth, json, sorted, TestNode, waitUntil } from './testing/relay-test-kit';

describe('relay over gRPC (loopback)', () => {
  const servers: RelayServer[] = [];
  const nodes: TestNode[] = [];

  async function startServer(gatewayId: string): Promise<{ server: RelayServer; address: string }> {
    const server = new RelayServer({ gatewayId, auth, host: '127.0.0.1', port: 0, shutdownGraceMs: 200 });
    servers.push(server);
    const { port } = await server.start();
    return { server, address: `127.0.0.1:${port}` };
  }

  function node(nodeId: string, gateways: string[], rooms: RoomName[] = [], options: Partial<RelayClientOptions> = {}): TestNode {
    const n = new TestNode(nodeId, gateways, rooms, options);
    nodes.push(n);
    n.client.start();
    return n;
  }

  const hasInterest = (server: RelayServer, nodeId: string, rooms: string[]) => (): boolean =>
    JSON.stringify(sorted(server.interestOf(nodeId))) === JSON.stringify(sorted(rooms));

  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.client.stop()));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  it('announces the full interest set on connect, then one coalesced delta per burst', async () => {
    const { server, address } = await startServer('g1');
    const a = node('A', [address], ['user:a', 'group:g']);
    await a.ready();
    await waitUntil(server, 'interest', hasInterest(server, 'A', ['user:a', 'group:g']));
    expect(server.connectedNodes()).toEqual(['A']);
    expect(a.client.connectedGateways()).toEqual([{ address, gatewayId: 'g1' }]);

    a.client.setInterest('user:a', false);
    a.client.setInterest('user:x', true);
    a.client.setInterest('group:tmp', true);
    a.client.setInterest('group:tmp', false);
    await waitUntil(server, 'interest', hasInterest(server, 'A', ['group:g', 'user:x']));
    // Hello + a single delta for the four changes.
    expect(server.stats().framesIn).toBe(2);

    await a.client.stop();
    await waitUntil(server, 'node:disconnected', () => server.connectedNodes().length === 0);
    expect(server.interestOf('A').size).toBe(0);
  });

  it('delivers one frame per interested remote node, with only its rooms, never to the origin', async () => {
    const { server, address } = await startServer('g1');
    const a = node('A', [address], ['user:a', 'group:g']);
    const b = node('B', [address], ['user:b', 'group:g']);
    const c = node('C', [address], ['user:c']);
    await Promise.all([a.ready(), b.ready(), c.ready()]);
    await waitUntil(server, 'interest', () => server.interestOf('C').size === 1 && server.interestOf('B').size === 2);

    const routed = new Promise<number>((resolve) => server.once('publish', (_origin, targets) => resolve(targets)));
    const payload = { text: 'hello', n: 1 };
    expect(a.client.publish({ rooms: ['user:b', 'group:g', 'user:a', 'user:nobody'], event: 'message:new', payload: json(payload), messageId: 'm1' })).toBe(true);

    const got = await b.waitFor('m1');
    expect(sorted(got.rooms)).toEqual(['group:g', 'user:b']);
    expect(got.event).toBe('message:new');
    expect(JSON.parse(got.payload.toString('utf8'))).toEqual(payload);
    expect(got.originNode).toBe('A');
    expect(got.gatewayId).toBe('g1');
    expect(await routed).toBe(1);

    // Frames on one stream keep their order: once a later frame arrives, m1 would have too.
    b.client.publish({ rooms: ['user:a', 'user:c'], event: 'e', payload: json(null), messageId: 'sentinel' });
    await Promise.all([a.waitFor('sentinel'), c.waitFor('sentinel')]);
    expect(a.messageIds()).toEqual(['sentinel']);
    expect(c.messageIds()).toEqual(['sentinel']);
    expect(b.messageIds()).toEqual(['m1']);
    expect(server.stats().delivers).toBe(3);
  });

  it("marks only the gateway's own frames from_gateway: a node publishing the same event name cannot set it", async () => {
    const { server, address } = await startServer('g1');
    const a = node('A', [address], ['user:a']);
    const b = node('B', [address], ['user:b', 'group:g']);
    const c = node('C', [address], ['user:c']);
    await Promise.all([a.ready(), b.ready(), c.ready()]);
    await waitUntil(server, 'interest', () => server.interestOf('B').size === 2 && server.interestOf('C').size === 1);

    const end = json({ userId: 'b', sessionIds: ['s1'], reason: 'logout' });
    expect(server.deliverOwn({ rooms: ['user:b'], event: 'session:end', payload: end, messageId: 'own' })).toEqual(['B']);
    const own = await b.waitFor('own');
    expect(own).toMatchObject({ rooms: ['user:b'], event: 'session:end', originNode: '', fromGateway: true, gatewayId: 'g1' });

    // The attacker's way: a node publishes the gateway's event under its own name.
    a.client.publish({ rooms: ['user:b'], event: 'session:end', payload: end, messageId: 'forged' });
    const forged = await b.waitFor('forged');
    expect(forged).toMatchObject({ originNode: 'A', fromGateway: false });
    // Only the interested node got the gateway's frame.
    expect(a.messageIds()).toEqual([]);
    expect(c.messageIds()).toEqual([]);
  });

  it('drops a delivered room the node no longer wants, and the whole frame if none is left', async () => {
    const { server, address } = await startServer('g1');
    const a = node('A', [address]);
    const b = node('B', [address], ['user:b']);
    await Promise.all([a.ready(), b.ready()]);
    await waitUntil(server, 'interest', hasInterest(server, 'B', ['user:b']));

    // Removed locally: the gateway may still route, the node must not emit.
    b.client.setInterest('user:b', false);
    a.client.publish({ rooms: ['user:b'], event: 'e', payload: json(1), messageId: 'late' });
    b.client.setInterest('user:z', true);
    await waitUntil(server, 'interest', hasInterest(server, 'B', ['user:z']));
    a.client.publish({ rooms: ['user:z'], event: 'e', payload: json(2), messageId: 'after' });
    await b.waitFor('after');
    expect(b.messageIds()).toEqual(['after']);
    // Whether 'late' beat B's delta to the gateway is a race; if it was routed, B ignored it.
    expect(b.client.stats().ignored).toBe(server.stats().delivers - 1);
  });

  it('reconnects after a gateway restart on the same port and re-announces interest', async () => {
    const { server, address } = await startServer('g1');
    const a = node('A', [address], ['user:a']);
    const b = node('B', [address], ['user:b']);
    await Promise.all([a.ready(), b.ready()]);

    const down = Promise.all([a, b].map((n) => new Promise((resolve) => n.client.once('gateway:down', resolve))));
    await server.stop();
    await down;
    expect(a.client.connectedGateways()).toEqual([]);
    expect(a.client.publish({ rooms: ['user:b'], event: 'e', payload: json(0), messageId: 'lost' })).toBe(false);
    expect(a.client.stats().publishDropped).toBe(1);
    // Changed while disconnected: must arrive in the next Hello.
    a.client.setInterest('user:a2', true);

    const { port } = await server.start();
    expect(`127.0.0.1:${port}`).toBe(address);
    await Promise.all([a.ready(), b.ready()]);
    await waitUntil(server, 'interest', () => hasInterest(server, 'A', ['user:a', 'user:a2'])() && hasInterest(server, 'B', ['user:b'])());

    expect(b.client.publish({ rooms: ['user:a2'], event: 'e', payload: json(1), messageId: 'm2' })).toBe(true);
    await a.waitFor('m2');
    expect(a.messageIds()).toEqual(['m2']);
  });

  it('grants a room to the nodes a joining publish reaches, so the next publish to that room is not dropped', async () => {
    const { server, address } = await startServer('g1');
    const origin = node('O', [address]);
    const member = node('M', [address], ['user:m']);
    // The IM node joins its sockets to the room synchronously when the join arrives.
    member.on('deliver', (d: Deliver) => {
      if (d.event === 'join') member.client.setInterest('group:g', true);
    });
    await Promise.all([origin.ready(), member.ready()]);
    await waitUntil(server, 'interest', hasInterest(server, 'M', ['user:m']));

    origin.client.publish({ rooms: ['user:m'], event: 'join', payload: json({}), messageId: 'j', grantRoom: 'group:g' });
    origin.client.publish({ rooms: ['group:g'], event: 'e', payload: json(1), messageId: 'first-in-group' });
    await member.waitFor('first-in-group');
    expect(member.messageIds()).toEqual(['j', 'first-in-group']);
  });

  it('announce() resolves only once every ready gateway has applied the interest', async () => {
    const g1 = await startServer('g1');
    const g2 = await startServer('g2');
    const n = node('N', [g1.address, g2.address]);
    await n.ready(2);
    n.client.setInterest('user:new', true);
    expect(g1.server.interestOf('N').has('user:new')).toBe(false); // the delta is still on its way
    // A minute-long cap: only the gateways' confirmations can end this wait within the test's time.
    await n.client.announce(60_000);
    expect(g1.server.interestOf('N').has('user:new')).toBe(true);
    expect(g2.server.interestOf('N').has('user:new')).toBe(true);
    await n.client.announce(60_000); // nothing new: still confirmed, not stuck
  });

  it('announce() does not wait for gateways that are not connected', async () => {
    const lonely = node('L', ['127.0.0.1:1']);
    lonely.client.setInterest('user:l', true);
    await expect(lonely.client.announce(60_000)).resolves.toBeUndefined();
  });

  it('tells the gateway to forget a granted room nobody on the node joined', async () => {
    const { server, address } = await startServer('g1');
    const origin = node('O', [address]);
    const member = node('M', [address], ['user:m']);
    await Promise.all([origin.ready(), member.ready()]);
    await waitUntil(server, 'interest', hasInterest(server, 'M', ['user:m']));

    origin.client.publish({ rooms: ['user:m'], event: 'join', payload: json({}), messageId: 'j', grantRoom: 'group:g' });
    await member.waitFor('j');
    expect(server.interestOf('M').has('group:g')).toBe(true);
    origin.client.publish({ rooms: ['group:g'], event: 'e', payload: json(1), messageId: 'unwanted' });
    await waitUntil(server, 'interest', () => !server.interestOf('M').has('group:g'));
    expect(member.messageIds()).toEqual(['j']);
  });

  it('a reconnecting node_id replaces its old stream without losing the new interest', async () => {
    const { server, address } = await startServer('g1');
    const sender = node('S', [address]);
    // A long backoff keeps the replaced client from coming back (two live clients with one id would take turns).
    const first = node('dup', [address], ['user:1'], { backoff: { initialMs: 10_000, maxMs: 10_000 } });
    await Promise.all([sender.ready(), first.ready()]);
    const disconnected: string[] = [];
    server.on('node:disconnected', (nodeId) => disconnected.push(nodeId));

    const firstDown = new Promise<void>((resolve) => first.client.once('gateway:down', () => resolve()));
    const second = node('dup', [address], ['user:2']);
    await second.ready();
    await firstDown;
    await first.client.stop();

    sender.client.publish({ rooms: ['user:1', 'user:2'], event: 'e', payload: json(0), messageId: 'm' });
    const got = await second.waitFor('m');
    expect(got.rooms).toEqual(['user:2']);
    expect(first.received).toEqual([]);
    // The old stream's end did not take the new session or its interest with it.
    expect(disconnected).toEqual([]);
    expect(sorted(server.connectedNodes())).toEqual(['S', 'dup']);
    expect(sorted(server.interestOf('dup'))).toEqual(['user:2']);
  });

  it('rejects a stream whose first frame is not Hello with INVALID_ARGUMENT', async () => {
    const { server, address } = await startServer('g1');
    const proto = loadRelayProto();
    const stub = new proto.parley.relay.v1.Relay(address, grpc.credentials.createInsecure());
    try {
      const call = stub.Connect(streamCredential(auth, 'raw', address).metadata);
      const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
      call.on('error', () => undefined);
      const frames: GatewayFrame__Output[] = [];
      call.on('data', (frame: GatewayFrame__Output) => frames.push(frame));
      const bad: NodeFrame = { delta: { add: ['user:x'], remove: [] } };
      call.write(bad);
      expect((await status).code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(frames).toEqual([]);
      expect(server.connectedNodes()).toEqual([]);
      expect(server.stats().rejected).toBe(1);
    } finally {
      stub.close();
    }
  });

  it('drops a stream that gets no Welcome in time and tries again', async () => {
    // A gateway that accepts streams but never answers.
    const proto = loadRelayProto();
    const silent = new grpc.Server();
    const attempts = new EventEmitter();
    let count = 0;
    silent.addService(proto.parley.relay.v1.Relay.service, {
      Connect: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
        count++;
        attempts.emit('connect');
        call.on('error', () => undefined);
        call.on('data', () => undefined);
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      silent.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    try {
      const n = node('N', [`127.0.0.1:${port}`], [], { welcomeTimeoutMs: 100 });
      await waitUntil(attempts, 'connect', () => count >= 3);
      expect(n.client.connectedGateways()).toEqual([]);
      expect(n.client.publish({ rooms: ['user:x'], event: 'e', payload: json(0), messageId: 'x' })).toBe(false);
    } finally {
      silent.forceShutdown();
    }
  });

  describe('barrier publishes', () => {
    it('resolve only once every node the frame reached has applied it', async () => {
      const { address } = await startServer('g1');
      const b = node('B', [address], ['group:g']);
      const c = node('C', [address], ['group:g']);
      const a = node('A', [address]);
      await Promise.all([a.ready(), b.ready(), c.ready()]);
      c.holdBarriers = true;
      let settled: string | undefined;
      const confirmed = a.client
        .publishConfirmed({ rooms: ['group:g'], event: 'room:leave', payload: json({}), messageId: 'k1' }, 5_000)
        .then((ok) => (settled = ok));
      await b.waitFor('k1');
      const held = await c.waitFor('k1');
      expect(settled).toBeUndefined();
      held.done?.();
      expect(await confirmed).toBe('confirmed');
      // Plain publishes carry no barrier and ask for no confirmation.
      a.client.publish({ rooms: ['group:g'], event: 'e', payload: json(0), messageId: 'plain' });
      expect((await c.waitFor('plain')).done).toBeUndefined();
    });

    it('resolve at once when no other node holds the rooms', async () => {
      const { address } = await startServer('g1');
      const a = node('A', [address], ['group:g']);
      await a.ready();
      await expect(
        a.client.publishConfirmed({ rooms: ['group:g'], event: 'room:leave', payload: json({}), messageId: 'k' }, 5_000),
      ).resolves.toBe('confirmed');
    });

    it('give up (false) when a node never confirms, or no gateway takes the frame', async () => {
      const { address } = await startServer('g1');
      const b = node('B', [address], ['group:g']);
      const a = node('A', [address]);
      await Promise.all([a.ready(), b.ready()]);
      b.holdBarriers = true;
      await expect(
        a.client.publishConfirmed({ rooms: ['group:g'], event: 'room:leave', payload: json({}), messageId: 'k' }, 200),
      ).resolves.toBe('unconfirmed');
      const lonely = node('L', []);
      await expect(
        lonely.client.publishConfirmed({ rooms: ['group:g'], event: 'room:leave', payload: json({}), messageId: 'k' }, 5_000),
      ).resolves.toBe('unsent');
    });
  });
});
