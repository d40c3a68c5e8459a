import crypto from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '@parley/util';
import { RelayAuth, streamCredential } from './auth';
import type { GatewayFrame__Output } from './generated/parley/relay/v1/GatewayFrame';
import type { RelayClient as RelayStub } from './generated/parley/relay/v1/Relay';
import { loadRelayProto } from './proto';
import { RelayClient } from './relay-client.grpc';
import { RelayServer, type RelayServerOptions } from './relay-server.grpc';

/*
 * A node's cluster-secret proof names the relay address it dialed. These
 * tests put a fake gateway (one a rogue Consul registration would point
 * nodes at) between a node and a real gateway, and check that the real one
 * refuses what it is handed, while nodes that dial a gateway's own address
 * get in.
 */

const auth = new RelayAuth({ secret: crypto.randomBytes(32).toString('base64url') });

interface Outcome {
  status: grpc.StatusObject;
  frames: GatewayFrame__Output[];
}

/** One stream on `stub` with `metadata`: says Hello as im-1 (and ends its side unless `end` is false); `outcome` once the gateway ends it. */
function openStream(stub: RelayStub, metadata: grpc.Metadata, end = true): { outcome: Promise<Outcome> } {
  const call = stub.Connect(metadata);
  const frames: GatewayFrame__Output[] = [];
  call.on('data', (frame: GatewayFrame__Output) => frames.push(frame));
  call.on('error', () => undefined);
  const outcome = new Promise<Outcome>((resolve) => call.on('status', (status: grpc.StatusObject) => resolve({ status, frames })));
  call.write({ hello: { nodeId: 'im-1', rooms: ['user:a'] } });
  if (end) call.end();
  return { outcome };
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const noop = (): void => undefined;
  const logger: Logger & { warnings: string[] } = {
    warnings,
    debug: noop,
    info: noop,
    error: noop,
    warn: (obj: object, msg?: string) => void warnings.push(`${msg ?? ''} ${JSON.stringify(obj)}`),
    child: () => logger,
  };
  return logger;
}

/** A fake gateway that passes every byte through to `target` and counts what the node sent it. */
interface PassThrough {
  address: string;
  bytesFromNodes: number;
  close(): Promise<void>;
}

/** `targetPort` is read per connection, so the proxy can be started before the gateway it fronts. */
async function passThroughProxy(targetPort: () => number): Promise<PassThrough> {
  const sockets = new Set<net.Socket>();
  const proxy: PassThrough = { address: '', bytesFromNodes: 0, close: async () => undefined };
  const server = net.createServer((downstream) => {
    const upstream = net.connect(targetPort(), '127.0.0.1');
    for (const socket of [downstream, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    downstream.on('data', (chunk: Buffer) => void (proxy.bytesFromNodes += chunk.length));
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  proxy.close = () => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return proxy;
}

/** This machine's first non-loopback IPv4 address, if it has one. */
function externalIPv4(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i?.family === 'IPv4' && !i.internal)?.address;
}

/** Resolves once `check` holds, polled every 10 ms (the jest timeout bounds it). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('relay proofs bound to the address the node dialed', () => {
  const servers: RelayServer[] = [];
  const clients: RelayClient[] = [];
  const stubs: grpc.Client[] = [];
  const proxies: PassThrough[] = [];

  async function startGateway(gatewayId: string, options: Partial<RelayServerOptions> = {}): Promise<{ server: RelayServer; port: number; address: string }> {
    const server = new RelayServer({ gatewayId, auth, host: '127.0.0.1', port: 0, shutdownGraceMs: 200, ...options });
    servers.push(server);
    const { port } = await server.start();
    return { server, port, address: `127.0.0.1:${port}` };
  }

  function stubFor(address: string): RelayStub {
    const stub = new (loadRelayProto().parley.relay.v1.Relay)(address, grpc.credentials.createInsecure());
    stubs.push(stub);
    return stub;
  }

  function node(nodeId: string, address: string): RelayClient {
    const client = new RelayClient({ nodeId, auth, gateways: [address], backoff: { initialMs: 20, maxMs: 100 }, onDeliver: () => undefined });
    clients.push(client);
    client.start();
    return client;
  }

  const ready = (client: RelayClient): Promise<void> =>
    client.connectedGateways().length > 0 ? Promise.resolve() : new Promise((resolve) => client.once('gateway:ready', () => resolve()));

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.stop()));
    for (const stub of stubs.splice(0)) stub.close();
    await Promise.all(proxies.splice(0).map((p) => p.close()));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  it('refuses at gateway B a proof a node made for gateway A, which A itself accepts', async () => {
    const a = await startGateway('gw-a');
    const b = await startGateway('gw-b');
    const proofForA = streamCredential(auth, 'im-1', a.address);
    // What a fake gateway holds after the node dialed it: a fresh proof, replayed elsewhere.
    const atB = await openStream(stubFor(b.address), proofForA.metadata).outcome;
    expect(atB.status.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(atB.frames).toEqual([]);
    expect(b.server.connectedNodes()).toEqual([]);
    expect(b.server.stats()).toMatchObject({ unauthenticated: 1, rememberedProofs: 0 });
    // The proof itself was sound: A takes it, and its Welcome proves A to the node.
    const atA = openStream(stubFor(a.address), proofForA.metadata, false);
    await until(() => a.server.connectedNodes().includes('im-1'));
    void a.server.stop();
    const { frames } = await atA.outcome;
    const welcome = frames.find((f) => f.welcome)?.welcome;
    expect(welcome?.gatewayId).toBe('gw-a');
    expect(proofForA.verifyWelcome('gw-a', welcome?.proof ?? '')).toBe(true);
  });

  it('refuses a node whose stream a fake gateway passes through byte for byte: the node never gets a Welcome', async () => {
    const logger = recordingLogger();
    const real = await startGateway('gw-1', { logger });
    const fake = await passThroughProxy(() => real.port);
    proxies.push(fake);
    const victim = node('im-1', fake.address);
    await until(() => real.server.stats().unauthenticated >= 3);
    expect(fake.bytesFromNodes).toBeGreaterThan(0);
    expect(victim.connectedGateways()).toEqual([]);
    expect(real.server.connectedNodes()).toEqual([]);
    expect(real.server.stats()).toMatchObject({ framesOut: 0, rememberedProofs: 0 });
    // Logged once, naming the address the node dialed; never the proof.
    const refusals = logger.warnings.filter((w) => w.includes('not authenticated'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toContain(`made for relay address ${fake.address}`);
    expect(logger.warnings.join('\n')).not.toMatch(/v2\.\d+\./);
  });

  it('lets a node in through a proxy the gateway names as its own (a load balancer in PARLEY_RELAY_AUDIENCES)', async () => {
    let relayPort = 0;
    const balancer = await passThroughProxy(() => relayPort);
    proxies.push(balancer);
    const real = await startGateway('gw-1', { audiences: [balancer.address] });
    relayPort = real.port;
    const honest = node('im-1', balancer.address);
    await ready(honest);
    expect(real.server.connectedNodes()).toEqual(['im-1']);
    expect(balancer.bytesFromNodes).toBeGreaterThan(0);
  });

  it.each([
    ['the static list (127.0.0.1)', (port: number) => `127.0.0.1:${port}`],
    ['localhost', (port: number) => `localhost:${port}`],
  ])('lets a node in that dials the gateway at %s', async (_name, addressOf) => {
    const gateway = await startGateway('gw-1');
    const honest = node('im-1', addressOf(gateway.port));
    await ready(honest);
    expect(gateway.server.connectedNodes()).toEqual(['im-1']);
    expect(gateway.server.stats().rememberedProofs).toBe(1);
  });

  const external = externalIPv4();
  const withExternal = external ? it : it.skip;
  withExternal(`lets a node in at the advertised address (what Consul's Meta.relay holds), and refuses loopback proofs arriving there (${external ?? 'no external IPv4 here'})`, async () => {
    const host = external as string;
    const gateway = await startGateway('gw-1', { host: '0.0.0.0', advertiseHost: host });
    const honest = node('im-1', `${host}:${gateway.port}`);
    await ready(honest);
    expect(gateway.server.connectedNodes()).toEqual(['im-1']);
    // A proof for the gateway's loopback name, carried to it over the network.
    const carried = await openStream(stubFor(`${host}:${gateway.port}`), streamCredential(auth, 'im-2', `127.0.0.1:${gateway.port}`).metadata).outcome;
    expect(carried.status.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(gateway.server.connectedNodes()).toEqual(['im-1']);
  });

  it('remembers nothing for a thousand refused proofs, and logs the peer once', async () => {
    const logger = recordingLogger();
    const gateway = await startGateway('gw-1', { logger });
    const stub = stubFor(gateway.address);
    for (let batch = 0; batch < 10; batch++) {
      const outcomes = await Promise.all(
        Array.from({ length: 100 }, (_, i) => openStream(stub, streamCredential(auth, 'im-1', `127.0.0.1:${1 + batch * 100 + i}`).metadata).outcome),
      );
      for (const { status, frames } of outcomes) {
        expect(status.code).toBe(grpc.status.UNAUTHENTICATED);
        expect(frames).toEqual([]);
      }
    }
    expect(gateway.server.stats()).toMatchObject({ unauthenticated: 1_000, rememberedProofs: 0 });
    expect(logger.warnings.filter((w) => w.includes('not authenticated'))).toHaveLength(1);
  });
});
