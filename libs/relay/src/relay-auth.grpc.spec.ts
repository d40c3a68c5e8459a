import crypto from 'node:crypto';
import fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { createTestPki, type TestPki } from '@parley/testing';
import { RelayAuth, streamCredential, type RelayTlsMaterial } from './auth';
import type { GatewayFrame__Output } from './generated/parley/relay/v1/GatewayFrame';
import type { NodeFrame } from './generated/parley/relay/v1/NodeFrame';
import type { Logger } from '@parley/util';
import { loadRelayProto } from './proto';
import { RelayClient } from './relay-client.grpc';
import { RelayServer } from './relay-server.grpc';

const randomSecret = (): string => crypto.randomBytes(32).toString('base64url');
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

/** What a raw gRPC peer (an attacker with the public .proto) sees of one stream. */
interface RawOutcome {
  status: grpc.StatusObject;
  frames: GatewayFrame__Output[];
}

/** Opens a stream with a raw stub, sends `frames`, and waits for the gateway to end it. */
async function rawStream(
  address: string,
  credentials: grpc.ChannelCredentials,
  metadata: grpc.Metadata,
  frames: NodeFrame[],
): Promise<RawOutcome> {
  const proto = loadRelayProto();
  const stub = new proto.parley.relay.v1.Relay(address, credentials);
  try {
    const call = stub.Connect(metadata);
    const received: GatewayFrame__Output[] = [];
    call.on('data', (frame: GatewayFrame__Output) => received.push(frame));
    call.on('error', () => undefined);
    const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    for (const frame of frames) call.write(frame);
    return { status: await status, frames: received };
  } finally {
    stub.close();
  }
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const noop = (): void => undefined;
  const logger: Logger & { warnings: string[] } = {
    warnings,
    debug: noop,
    info: noop,
    error: noop,
    warn: (_obj: object, msg?: string) => void warnings.push(msg ?? ''),
    child: () => logger,
  };
  return logger;
}

/** Resolves once the gateway has refused `count` streams (the node retries with backoff). */
function refusedAtLeast(server: RelayServer, count: number): Promise<void> {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      if (server.stats().unauthenticated < count) return;
      clearInterval(poll);
      resolve();
    }, 10);
  });
}

function readTls(pki: TestPki, files: { cert: string; key: string }): RelayTlsMaterial {
  return { ca: fs.readFileSync(pki.caCert), cert: fs.readFileSync(files.cert), key: fs.readFileSync(files.key) };
}

describe('relay authentication', () => {
  const servers: RelayServer[] = [];
  const clients: RelayClient[] = [];

  async function startServer(auth: RelayAuth, logger?: Logger): Promise<{ server: RelayServer; address: string }> {
    const server = new RelayServer({ gatewayId: 'g1', auth, host: '127.0.0.1', port: 0, shutdownGraceMs: 200, logger });
    servers.push(server);
    const { port } = await server.start();
    return { server, address: `127.0.0.1:${port}` };
  }

  function client(nodeId: string, auth: RelayAuth, address: string, rooms: string[] = []): RelayClient {
    const c = new RelayClient({ nodeId, auth, gateways: [address], backoff: { initialMs: 20, maxMs: 100 }, onDeliver: () => undefined });
    for (const room of rooms) c.setInterest(room as `user:${string}`, true);
    clients.push(c);
    c.start();
    return c;
  }

  const ready = (c: RelayClient): Promise<void> =>
    c.connectedGateways().length > 0 ? Promise.resolve() : new Promise((resolve) => c.once('gateway:ready', () => resolve()));

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.stop()));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  it('refuses to build an authenticator with neither a secret nor TLS unless insecure is asked for', () => {
    expect(() => new RelayAuth({})).toThrow(/secret|TLS|insecure/);
    expect(new RelayAuth({ insecure: true }).insecure).toBe(true);
  });

  describe('with a shared cluster secret', () => {
    const auth = new RelayAuth({ secret: randomSecret() });

    it('gives a client with no credentials no Welcome and no frames, only UNAUTHENTICATED', async () => {
      const { server, address } = await startServer(auth);
      // A real node with interest, so there would be something to leak.
      const victim = client('im-1', auth, address, ['user:victim']);
      await ready(victim);
      const outcome = await rawStream(address, grpc.credentials.createInsecure(), new grpc.Metadata(), [
        { hello: { nodeId: 'im-1', rooms: ['user:victim'] } },
        { publish: { rooms: ['user:victim'], event: 'message:new', payload: json({ forged: true }), messageId: 'x' } },
      ]);
      expect(outcome.status.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(outcome.frames).toEqual([]);
      expect(server.stats()).toMatchObject({ unauthenticated: 1, publishes: 0, delivers: 0 });
      // The real im-1 still holds its stream and its interest.
      expect(server.connectedNodes()).toEqual(['im-1']);
      expect([...server.interestOf('im-1')]).toEqual(['user:victim']);
    });

    it('refuses a node proving a different secret, and the node never becomes ready', async () => {
      const { server, address } = await startServer(auth);
      const intruder = client('im-9', new RelayAuth({ secret: randomSecret() }), address);
      await refusedAtLeast(server, 2);
      expect(intruder.connectedGateways()).toEqual([]);
      expect(server.connectedNodes()).toEqual([]);
    });

    it('does not let credentials for im-1 claim im-2 in Hello', async () => {
      const { server, address } = await startServer(auth);
      const outcome = await rawStream(address, grpc.credentials.createInsecure(), streamCredential(auth, 'im-1', address).metadata, [
        { hello: { nodeId: 'im-2', rooms: ['user:a'] } },
      ]);
      expect(outcome.status.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(outcome.frames).toEqual([]);
      expect(server.connectedNodes()).toEqual([]);
    });

    it('refuses a proof replayed from another stream, and an expired one', async () => {
      const { server, address } = await startServer(auth);
      const credential = streamCredential(auth, 'im-1', address);
      const first = rawStream(address, grpc.credentials.createInsecure(), credential.metadata, [{ hello: { nodeId: 'im-1', rooms: [] } }]);
      const replay = await rawStream(address, grpc.credentials.createInsecure(), credential.metadata, [{ hello: { nodeId: 'im-1', rooms: [] } }]);
      expect(replay.status.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(replay.frames).toEqual([]);
      const old = streamCredential(auth, 'im-1', address, Date.now() - 10 * 60_000);
      const expired = await rawStream(address, grpc.credentials.createInsecure(), old.metadata, [{ hello: { nodeId: 'im-1', rooms: [] } }]);
      expect(expired.status.code).toBe(grpc.status.UNAUTHENTICATED);
      const stopping = server.stop(); // ends the first (valid) stream
      expect((await first).frames[0]?.welcome?.gatewayId).toBe('g1');
      await stopping;
    });

    it('logs refused peers once, not once per attempt', async () => {
      const logger = recordingLogger();
      const { server, address } = await startServer(auth, logger);
      for (let i = 0; i < 5; i++) {
        const outcome = await rawStream(address, grpc.credentials.createInsecure(), new grpc.Metadata(), []);
        expect(outcome.status.code).toBe(grpc.status.UNAUTHENTICATED);
      }
      expect(server.stats().unauthenticated).toBe(5);
      expect(logger.warnings.filter((m) => m.includes('not authenticated'))).toHaveLength(1);
    });

    it('makes a node refuse a gateway that cannot prove the secret', async () => {
      const { server, address } = await startServer(new RelayAuth({ secret: randomSecret() }));
      const n = client('im-1', auth, address);
      // The rogue gateway refuses the node's proof too; either way no stream is ever ready.
      await refusedAtLeast(server, 2);
      expect(n.connectedGateways()).toEqual([]);
    });
  });

  describe('with mutual TLS', () => {
    let pki: TestPki;
    let otherPki: TestPki;

    beforeAll(() => {
      pki = createTestPki();
      otherPki = createTestPki();
    });
    afterAll(() => {
      pki.remove();
      otherPki.remove();
    });

    const gatewayAuth = () => new RelayAuth({ tls: readTls(pki, pki.gateway) });
    const nodeAuth = (nodeId: string, from: TestPki = pki) => new RelayAuth({ tls: readTls(from, from.node(nodeId)) });

    it('lets a node with a certificate from the cluster CA in, under the id its certificate names', async () => {
      const { server, address } = await startServer(gatewayAuth());
      const n = client('im-1', nodeAuth('im-1'), address, ['user:a']);
      await ready(n);
      expect(server.connectedNodes()).toEqual(['im-1']);
    });

    it('gives a client without a certificate, or with one from another CA, nothing', async () => {
      const { server, address } = await startServer(gatewayAuth());
      const ca = fs.readFileSync(pki.caCert);
      const noCert = await rawStream(address, grpc.credentials.createSsl(ca), new grpc.Metadata(), [{ hello: { nodeId: 'im-1', rooms: [] } }]);
      expect(noCert.status.code).not.toBe(grpc.status.OK);
      expect(noCert.frames).toEqual([]);
      const rogue = readTls(otherPki, otherPki.node('im-1'));
      const wrongCa = await rawStream(address, grpc.credentials.createSsl(ca, rogue.key, rogue.cert), new grpc.Metadata(), [
        { hello: { nodeId: 'im-1', rooms: [] } },
      ]);
      expect(wrongCa.status.code).not.toBe(grpc.status.OK);
      expect(wrongCa.frames).toEqual([]);
      const plain = await rawStream(address, grpc.credentials.createInsecure(), new grpc.Metadata(), [{ hello: { nodeId: 'im-1', rooms: [] } }]);
      expect(plain.frames).toEqual([]);
      expect(server.connectedNodes()).toEqual([]);
    });

    it('does not let the certificate of im-1 claim im-2', async () => {
      const { server, address } = await startServer(gatewayAuth());
      const im1 = readTls(pki, pki.node('im-1'));
      const outcome = await rawStream(address, grpc.credentials.createSsl(im1.ca, im1.key, im1.cert), new grpc.Metadata(), [
        { hello: { nodeId: 'im-2', rooms: ['user:a'] } },
      ]);
      expect(outcome.status.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(outcome.frames).toEqual([]);
      expect(server.connectedNodes()).toEqual([]);
    });

    it('with a secret as well, needs both and the same node in each', async () => {
      const secret = randomSecret();
      const { server, address } = await startServer(new RelayAuth({ tls: readTls(pki, pki.gateway), secret }));
      const both = client('im-1', new RelayAuth({ tls: readTls(pki, pki.node('im-1')), secret }), address);
      await ready(both);
      const im2 = readTls(pki, pki.node('im-2'));
      const mixed = await rawStream(
        address,
        grpc.credentials.createSsl(im2.ca, im2.key, im2.cert),
        streamCredential(new RelayAuth({ secret }), 'im-1', address).metadata,
        [{ hello: { nodeId: 'im-1', rooms: [] } }],
      );
      expect(mixed.status.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(server.connectedNodes()).toEqual(['im-1']);
    });
  });
});
