import * as grpc from '@grpc/grpc-js';
import { waitFor } from '@parley/testing';
import { streamCredential } from './auth';
import type { Deliver__Output } from './generated/parley/relay/v1/Deliver';
import type { GatewayFrame__Output } from './generated/parley/relay/v1/GatewayFrame';
import type { Hello } from './generated/parley/relay/v1/Hello';
import type { NodeFrame } from './generated/parley/relay/v1/NodeFrame';
import type { RelayClient as RelayStub } from './generated/parley/relay/v1/Relay';
import { RELAY_BATCH_LIMITS } from './frame-batch';
import { loadRelayProto } from './proto';
import { RelayServer } from './relay-server.grpc';
import { startScriptedGateway, type ScriptedGateway } from './testing';
import { auth, json, TestNode, waitUntil } from './testing/relay-test-kit';

/*
 * Coalesced relay frames (issue 16): the publishes a node writes in one turn
 * of its event loop leave as one PublishBatch, and the Deliver frames the
 * gateway routes to one node in one turn as one DeliverBatch; each side
 * batches only toward a peer that said it takes batches (Hello.batches,
 * Welcome.batches), so an older node or gateway gets single frames.
 */

/** A node speaking the wire protocol by hand: what the gateway writes to it, frame by frame. */
interface RawNode {
  frames: GatewayFrame__Output[];
  /** Every Deliver received, batched or not, in order. */
  delivers(): Deliver__Output[];
  status: Promise<grpc.StatusObject>;
  write(frame: NodeFrame): void;
  close(): void;
}

function rawNode(address: string, hello: Hello | undefined): RawNode {
  const proto = loadRelayProto();
  const stub: RelayStub = new proto.parley.relay.v1.Relay(address, grpc.credentials.createInsecure());
  const call = stub.Connect(streamCredential(auth, hello?.nodeId ?? 'raw', address).metadata);
  const frames: GatewayFrame__Output[] = [];
  call.on('data', (frame: GatewayFrame__Output) => frames.push(frame));
  call.on('error', () => undefined);
  const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
  if (hello) call.write({ hello });
  return {
    frames,
    delivers: () => frames.flatMap((f) => (f.deliver ? [f.deliver] : (f.delivers?.delivers ?? []))),
    status,
    write: (frame) => call.write(frame),
    close: () => {
      call.cancel();
      stub.close();
    },
  };
}

describe('relay frame batches', () => {
  let server: RelayServer;
  let address: string;
  const nodes: TestNode[] = [];
  const raws: RawNode[] = [];
  const scripted: ScriptedGateway[] = [];

  beforeEach(async () => {
    server = new RelayServer({ gatewayId: 'g1', auth, host: '127.0.0.1', port: 0, shutdownGraceMs: 200 });
    const { port } = await server.start();
    address = `127.0.0.1:${port}`;
  });

  afterEach(async () => {
    for (const raw of raws.splice(0)) raw.close();
    for (const gateway of scripted.splice(0)) gateway.close();
    await Promise.all(nodes.splice(0).map((n) => n.client.stop()));
    await server.stop();
  });

  function node(nodeId: string, gateways: string[], rooms: `group:${string}`[] = []): TestNode {
    const n = new TestNode(nodeId, gateways, rooms);
    nodes.push(n);
    n.client.start();
    return n;
  }

  function raw(hello: Hello | undefined): RawNode {
    const r = rawNode(address, hello);
    raws.push(r);
    return r;
  }

  /** Publishes `count` frames to `group:g` from `sender`, all in this one turn. */
  function publishBurst(sender: TestNode, count: number, payload: (i: number) => Buffer = (i) => json(i)): string[] {
    const ids = Array.from({ length: count }, (_, i) => `m${i}`);
    for (const [i, messageId] of ids.entries()) {
      expect(sender.client.publish({ rooms: ['group:g'], event: 'message:new', payload: payload(i), messageId })).toBe(true);
    }
    return ids;
  }

  it('routes one turn of publishes to a node that takes batches as one DeliverBatch, in order', async () => {
    const receiver = raw({ nodeId: 'R', rooms: ['group:g'], batches: true });
    const sender = node('S', [address]);
    await sender.ready();
    await waitUntil(server, 'interest', () => server.interestOf('R').has('group:g'));

    const ids = publishBurst(sender, 200);
    await waitUntil(server, 'publish', () => server.stats().delivers === 200);
    await waitFor('200 delivers at R', () => receiver.delivers().length, (n) => n === 200);

    expect(receiver.delivers().map((d) => d.messageId)).toEqual(ids);
    expect(receiver.delivers().every((d) => d.originNode === 'S' && d.rooms.join() === 'group:g')).toBe(true);
    const batches = receiver.frames.filter((f) => f.frame === 'delivers');
    expect(batches.length).toBeGreaterThan(0);
    // Far fewer gRPC messages than frames: the turn's frames travel together.
    expect(receiver.frames.filter((f) => f.frame === 'deliver' || f.frame === 'delivers').length).toBeLessThan(200);
  });

  it('sends an older node (no batches in its Hello) one Deliver frame per deliver', async () => {
    const receiver = raw({ nodeId: 'R', rooms: ['group:g'] });
    const sender = node('S', [address]);
    await sender.ready();
    await waitUntil(server, 'interest', () => server.interestOf('R').has('group:g'));

    const ids = publishBurst(sender, 50);
    await waitFor('50 delivers at R', () => receiver.delivers().length, (n) => n === 50);
    expect(receiver.frames.some((f) => f.frame === 'delivers')).toBe(false);
    expect(receiver.frames.filter((f) => f.frame === 'deliver').map((f) => f.deliver?.messageId)).toEqual(ids);
  });

  it('writes one turn of publishes as one PublishBatch to a gateway that takes them, and single frames to one that does not', async () => {
    for (const batches of [true, false]) {
      const gateway = await startScriptedGateway(auth, [], [], batches);
      scripted.push(gateway);
      const sender = node(`S-${batches}`, [gateway.address]);
      await sender.ready();
      const ids = publishBurst(sender, 30);
      const publishes = (): NodeFrame[] => gateway.connections.frames.filter((f) => f.frame === 'publish' || f.frame === 'publishes');
      const sent = (): { messageId?: string; seq?: number }[] =>
        publishes().flatMap((f) => (f.publish ? [f.publish] : (f.publishes?.publishes ?? [])));
      await waitFor('30 publishes at the gateway', () => sent().length, (n) => n === 30);
      expect(sent().map((p) => p.messageId)).toEqual(ids);
      // Numbered per stream, in order, batched or not: the gateway's cumulative acks stay exact.
      expect(sent().map((p) => p.seq)).toEqual(ids.map((_, i) => i + 1));
      if (batches) expect(publishes().length).toBe(1);
      else expect(publishes().every((f) => f.frame === 'publish')).toBe(true);
    }
  });

  it('splits a burst larger than a batch into several, losing and reordering nothing', async () => {
    const receiver = node('R', [address], ['group:g']);
    const sender = node('S', [address]);
    await Promise.all([receiver.ready(), sender.ready()]);
    await waitUntil(server, 'interest', () => server.interestOf('R').has('group:g'));

    // More frames than one batch holds, then frames so large that a few fill one (gRPC refuses messages over 4 MB).
    const many = publishBurst(sender, RELAY_BATCH_LIMITS.frames * 2 + 500);
    const big = Buffer.from(JSON.stringify('x'.repeat(300_000)));
    const large = Array.from({ length: 20 }, (_, i) => `big${i}`);
    for (const messageId of large) sender.client.publish({ rooms: ['group:g'], event: 'message:new', payload: big, messageId });

    await waitUntil(receiver, 'deliver', () => receiver.received.length === many.length + large.length, 20_000);
    expect(receiver.messageIds()).toEqual([...many, ...large]);
    expect(receiver.received.at(-1)?.payload.length).toBe(big.length);
    expect(server.stats().dropped).toBe(0);
  });

  it("shares one acknowledged interest delta among a turn's announce() calls (a reconnect storm's handshakes)", async () => {
    const n = node('N', [address]);
    await n.ready();
    const before = server.stats().framesIn;
    const rooms = Array.from({ length: 300 }, (_, i) => `group:r${i}` as const);
    const announced = rooms.map((room) => {
      n.client.setInterest(room, true);
      return n.client.announce(5_000);
    });
    await Promise.all(announced);
    // Each resolved only once the gateway had applied every room of the turn.
    expect(rooms.every((room) => server.interestOf('N').has(room))).toBe(true);
    expect(server.stats().framesIn - before).toBe(1);
  });

  it('refuses a PublishBatch before Hello: a batch speaks for no node', async () => {
    const intruder = raw(undefined);
    intruder.write({ publishes: { publishes: [{ rooms: ['group:g'], event: 'message:new', payload: json(1), messageId: 'x', seq: 1 }] } });
    expect((await intruder.status).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(intruder.delivers()).toEqual([]);
    expect(server.stats().publishes).toBe(0);
  });

  it('stamps every publish of a batch with the stream\'s own node: a batch cannot speak for another node', async () => {
    const receiver = raw({ nodeId: 'R', rooms: ['group:g'], batches: true });
    const liar = raw({ nodeId: 'L', rooms: [], batches: true });
    await waitUntil(server, 'interest', () => server.interestOf('R').has('group:g') && server.connectedNodes().includes('L'));
    // Publish carries no origin field; the gateway stamps the stream's node on each.
    liar.write({
      publishes: {
        publishes: [1, 2, 3].map((seq) => ({ rooms: ['group:g'], event: 'message:new', payload: json(seq), messageId: `l${seq}`, seq })),
      },
    });
    await waitFor('3 delivers at R', () => receiver.delivers().length, (n) => n === 3);
    expect(receiver.delivers().map((d) => [d.messageId, d.originNode, d.fromGateway])).toEqual([
      ['l1', 'L', false],
      ['l2', 'L', false],
      ['l3', 'L', false],
    ]);
    // Acknowledged once, cumulatively, up to the batch's last seq.
    await waitFor('PublishAck 3', () => liar.frames.some((f) => f.published?.seq === 3), (acked) => acked);
  });
});
