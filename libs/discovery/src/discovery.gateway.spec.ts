import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startConsulSimulator, type ConsulSimulator } from '@parley/testing';
import { eventually } from './discovery.contract';
import { ConsulGatewayDirectory, type ConsulGatewayDirectoryOptions } from './directory.gateway.consul';
import { StaticGatewayDirectory } from './directory.gateway.static';
import { describeGatewayDiscoveryContract, relays } from './gateway-discovery.contract';
import { startHealthz, type HealthzFixture } from './healthz.fixture';
import { ConsulGatewayRegistrar, type ConsulGatewayRegistrarOptions } from './registrar.gateway.consul';

const startSim = () => startConsulSimulator({ minCheckIntervalMs: 50 });

const registrarOptions = (sim: ConsulSimulator, extra: ConsulGatewayRegistrarOptions = {}): ConsulGatewayRegistrarOptions => ({
  address: sim.url,
  checkIntervalMs: 100,
  checkTimeoutMs: 500,
  retryMinDelayMs: 20,
  retryMaxDelayMs: 100,
  ...extra,
});

const watchOptions = (address: string, extra: ConsulGatewayDirectoryOptions = {}): ConsulGatewayDirectoryOptions => ({
  address,
  waitMs: 10_000,
  startTimeoutMs: 1_000,
  retryMinDelayMs: 20,
  retryMaxDelayMs: 200,
  ...extra,
});

describeGatewayDiscoveryContract('Consul (simulator)', async () => {
  const sim = await startSim();
  const fixtures: HealthzFixture[] = [];
  const registrar = new ConsulGatewayRegistrar(registrarOptions(sim));
  return {
    registrar,
    directoryOf: async (gateways) => {
      for (const g of gateways) await registrar.register(g);
      return new ConsulGatewayDirectory(watchOptions(sim.url));
    },
    newGateway: async (gatewayId) => {
      const fixture = await startHealthz();
      fixtures.push(fixture);
      return fixture.gatewayRegistration(gatewayId);
    },
    teardown: async () => {
      await registrar.close();
      await Promise.all(fixtures.map((f) => f.close()));
      await sim.stop();
    },
  };
}, { changes: true });

describeGatewayDiscoveryContract('static list', async () => ({
  directoryOf: async (gateways) => new StaticGatewayDirectory(gateways.map((g) => g.relayAddress)),
  newGateway: async (gatewayId) => {
    const port = 50_000 + Math.floor(Math.random() * 10_000);
    return { gatewayId, relayAddress: `127.0.0.1:${port}`, address: '127.0.0.1', port, healthUrl: `http://127.0.0.1:${port}/readyz` };
  },
  teardown: async () => undefined,
}), { changes: false });

describe('ConsulGatewayRegistrar', () => {
  let sim: ConsulSimulator;
  let healthz: HealthzFixture;
  let registrar: ConsulGatewayRegistrar;

  beforeEach(async () => {
    sim = await startSim();
    healthz = await startHealthz();
    registrar = new ConsulGatewayRegistrar(registrarOptions(sim));
  });

  afterEach(async () => {
    await registrar.close();
    await healthz.close();
    await sim.stop();
  });

  it('registers the gateway as parley-gateway: ID, address, port, Meta {gatewayId, relay} and a check on /readyz', async () => {
    const gateway = healthz.gatewayRegistration('gw-1');
    await registrar.register(gateway);
    expect(sim.services()).toEqual([
      expect.objectContaining({
        id: 'gw-1',
        name: 'parley-gateway',
        address: '127.0.0.1',
        port: gateway.port,
        meta: { gatewayId: 'gw-1', relay: gateway.relayAddress },
      }),
    ]);
    expect(sim.services()[0]?.checks).toEqual([
      expect.objectContaining({ name: 'parley-gateway /readyz', http: gateway.healthUrl, intervalMs: 100, timeoutMs: 500 }),
    ]);
  });

  it('refuses a relay address that is not host:port without calling Consul', async () => {
    for (const relayAddress of ['', 'gateway', 'http://gw:50051', 'gw:0', 'gw:70000', 'gw:50051/x']) {
      const bad = { ...healthz.gatewayRegistration('gw-1'), relayAddress };
      await expect(registrar.register(bad)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: 'bad gateway registration: relayAddress is not host:port',
      });
    }
    expect(sim.requests()).toEqual([]);
  });
});

describe('StaticGatewayDirectory', () => {
  it('names each gateway by its relay address and refuses bad or duplicate addresses', async () => {
    const d = new StaticGatewayDirectory(['gw-2:50051', '[::1]:50051', 'gw-1:50051']);
    expect(d.liveGateways()).toEqual([
      { gatewayId: '[::1]:50051', relayAddress: '[::1]:50051' },
      { gatewayId: 'gw-1:50051', relayAddress: 'gw-1:50051' },
      { gatewayId: 'gw-2:50051', relayAddress: 'gw-2:50051' },
    ]);
    expect(() => new StaticGatewayDirectory(['gw-1'])).toThrow(/not host:port/);
    expect(() => new StaticGatewayDirectory(['gw-1:1', 'gw-1:1'])).toThrow(/duplicate/);
  });
});

/**
 * A Consul stand-in that answers health queries with whatever the test says,
 * at once, bumping the index on each new answer: for answers no real Consul
 * (or the simulator) would give.
 */
async function startLyingConsul(): Promise<{ url: string; answer(body: string): void; readonly requests: number; close(): Promise<void> }> {
  const state = { body: '[]', index: 1, requests: 0 };
  const server = http.createServer((_req, res) => {
    state.requests += 1;
    res.writeHead(200, { 'Content-Type': 'application/json', 'X-Consul-Index': String(state.index) });
    res.end(state.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answer: (body) => {
      state.body = body;
      state.index += 1;
    },
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('ConsulGatewayDirectory when Consul lies', () => {
  let consul: Awaited<ReturnType<typeof startLyingConsul>>;
  let directory: ConsulGatewayDirectory;
  const warn = jest.fn();
  const entry = (id: string, meta: unknown) => ({ Service: { ID: id, Service: 'parley-gateway', Meta: meta }, Checks: [] });
  /** Resolves once `count` more queries have reached the stand-in: the ones before the last were answered and read. */
  const moreQueries = async (count: number) => {
    const from = consul.requests;
    await eventually(() => (consul.requests >= from + count ? true : undefined));
  };

  beforeEach(async () => {
    consul = await startLyingConsul();
    warn.mockClear();
    directory = new ConsulGatewayDirectory(watchOptions(consul.url, { logger: { warn, info: jest.fn() } }));
  });

  afterEach(async () => {
    await directory.stop();
    await consul.close();
  });

  it('skips entries without a usable Meta.relay with one warning, and lists the good ones', async () => {
    consul.answer(
      JSON.stringify([
        entry('gw-ok', { gatewayId: 'gw-ok', relay: '10.0.0.1:50051' }),
        entry('gw-no-meta', null),
        entry('gw-no-relay', { gatewayId: 'gw-no-relay' }),
        entry('gw-garbage', { relay: 'not an address' }),
        entry('gw-port-0', { relay: '10.0.0.2:0' }),
        entry('gw-url', { relay: 'http://10.0.0.3:50051' }),
        entry('gw-number', { relay: 50051 }),
        entry('', { relay: '10.0.0.4:50051' }),
        { Service: 'not an object' },
        'not an entry',
        null,
        entry('gw-id-only', { relay: '[fd00::5]:50051' }),
      ]),
    );
    await directory.start();
    expect(directory.liveGateways()).toEqual([
      { gatewayId: 'gw-id-only', relayAddress: '[fd00::5]:50051' },
      { gatewayId: 'gw-ok', relayAddress: '10.0.0.1:50051' },
    ]);
    await eventually(() => (warn.mock.calls.length > 0 ? true : undefined));
    await moreQueries(4); // several more answers, the same entries
    const skippedWarnings = warn.mock.calls.filter(([, msg]) => String(msg).startsWith('ignoring consul entries'));
    expect(skippedWarnings).toEqual([
      [
        expect.objectContaining({ service: 'parley-gateway', skipped: 10, examples: expect.arrayContaining(['gw-no-meta: no Meta.relay']) }),
        'ignoring consul entries that are not usable gateways',
      ],
    ]);
  });

  it('keeps the last good list when the answer is not a list at all', async () => {
    consul.answer(JSON.stringify([entry('gw-ok', { relay: '10.0.0.1:50051' })]));
    await directory.start();
    expect(relays(directory.liveGateways())).toEqual(['10.0.0.1:50051']);
    consul.answer(JSON.stringify({ not: 'a list' }));
    await eventually(() => (warn.mock.calls.some(([, msg]) => String(msg).startsWith('consul health query failed')) ? true : undefined));
    consul.answer('{truncated');
    await moreQueries(2); // the first of them got the truncated answer, and it was read
    expect(relays(directory.liveGateways())).toEqual(['10.0.0.1:50051']);
    consul.answer('[]');
    await eventually(() => (directory.liveGateways().length === 0 ? true : undefined));
  });

  it('takes a huge list in its stride', async () => {
    const count = 20_000;
    const entries = Array.from({ length: count }, (_, i) => entry(`gw-${String(i).padStart(5, '0')}`, { relay: `10.${i >> 8}.${i & 255}.1:50051` }));
    consul.answer(JSON.stringify(entries.reverse()));
    await directory.start(); // returns after startTimeoutMs at the latest, so the list is awaited below
    await eventually(() => (directory.liveGateways().length === count ? true : undefined), 25_000);
    expect(directory.liveGateways()[0]).toEqual({ gatewayId: 'gw-00000', relayAddress: '10.0.0.1:50051' });
    expect(warn).not.toHaveBeenCalled();
  });
});
