import { ParleyError } from '@parley/protocol';
import { startConsulSimulator, type ConsulSimulator } from '@parley/testing';
import { consulEngine } from './consul-engine.fixture';
import { describeDiscoveryContract, eventually, ids } from './discovery.contract';
import { ConsulNodeDirectory, nextIndex, type ConsulNodeDirectoryOptions } from './directory.consul';
import { startHealthz, type HealthzFixture } from './healthz.fixture';
import { ConsulNodeRegistrar, type ConsulNodeRegistrarOptions } from './registrar.consul';

/** Simulator tuned for speed: checks may run every 50ms (Consul clamps to 1s). */
const startSim = () => startConsulSimulator({ minCheckIntervalMs: 50 });

const registrarOptions = (sim: ConsulSimulator, extra: ConsulNodeRegistrarOptions = {}): ConsulNodeRegistrarOptions => ({
  address: sim.url,
  checkIntervalMs: 100,
  checkTimeoutMs: 500,
  retryMinDelayMs: 20,
  retryMaxDelayMs: 100,
  ...extra,
});

const directoryOptions = (sim: ConsulSimulator, extra: ConsulNodeDirectoryOptions = {}): ConsulNodeDirectoryOptions => ({
  address: sim.url,
  waitMs: 10_000,
  startTimeoutMs: 1_000,
  retryMinDelayMs: 20,
  retryMaxDelayMs: 200,
  ...extra,
});

const healthQueries = (sim: ConsulSimulator) => sim.requests().filter((r) => r.path === '/v1/health/service/parley-im');

describeDiscoveryContract('Consul (simulator)', async () => {
  const sim = await startSim();
  return consulEngine(sim, registrarOptions(sim), directoryOptions(sim));
});

describe('Consul discovery against the simulator', () => {
  let sim: ConsulSimulator;
  let healthz: HealthzFixture;
  let registrar: ConsulNodeRegistrar;
  let directory: ConsulNodeDirectory;

  beforeEach(async () => {
    sim = await startSim();
    healthz = await startHealthz();
    registrar = new ConsulNodeRegistrar(registrarOptions(sim));
    directory = new ConsulNodeDirectory(directoryOptions(sim));
  });

  afterEach(async () => {
    await directory.stop();
    await registrar.close();
    await healthz.close();
    await sim.stop();
  });

  it('registers the node as Consul expects: ID, address, port, meta and an HTTP check', async () => {
    const node = healthz.registration('im-1');
    await registrar.register(node);
    const [service] = sim.services();
    expect(service).toMatchObject({
      id: 'im-1',
      name: 'parley-im',
      address: '127.0.0.1',
      port: node.port,
      meta: { url: node.url, nodeId: 'im-1' },
    });
    expect(service?.checks).toEqual([
      expect.objectContaining({
        checkId: 'service:im-1',
        http: node.healthUrl,
        intervalMs: 100,
        timeoutMs: 500,
        deregisterCriticalServiceAfterMs: 60_000,
      }),
    ]);
  });

  it('rejects a malformed registration without calling Consul', async () => {
    const bad = { ...healthz.registration('im-1'), healthUrl: 'not a url' };
    await expect(registrar.register(bad)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(sim.requests()).toEqual([]);
  });

  it('without panic mode: shows a node once its /healthz passes, hides it when /healthz fails, shows it again on recovery', async () => {
    await directory.stop();
    directory = new ConsulNodeDirectory(directoryOptions(sim, { panicMode: false }));
    await directory.start();
    healthz.status = 500;
    await registrar.register(healthz.registration('im-1'));
    await new Promise((r) => setTimeout(r, 400)); // several checks, all critical
    expect(directory.healthyNodes()).toEqual([]);

    healthz.status = 200;
    await eventually(() => (directory.healthyNodes().length === 1 ? true : undefined));

    healthz.status = 503;
    await eventually(() => (directory.healthyNodes().length === 0 ? true : undefined));
    expect(sim.services()[0]?.checks[0]?.status).toBe('critical');

    healthz.status = 200;
    await eventually(() => (directory.healthyNodes().length === 1 ? true : undefined));
  });

  it('without panic mode: drops a node whose /healthz server is gone entirely', async () => {
    await directory.stop();
    directory = new ConsulNodeDirectory(directoryOptions(sim, { panicMode: false }));
    await directory.start();
    await registrar.register(healthz.registration('im-1'));
    await eventually(() => (directory.healthyNodes().length === 1 ? true : undefined));
    await healthz.close();
    await eventually(() => (directory.healthyNodes().length === 0 ? true : undefined));
  });

  it('picks changes up through blocking queries, without a polling storm', async () => {
    await directory.start();
    const afterStart = healthQueries(sim).length;
    await new Promise((r) => setTimeout(r, 1_000)); // idle: one blocking query held open
    expect(healthQueries(sim).length - afterStart).toBeLessThanOrEqual(1);

    const changed = new Promise<number>((resolve) => directory.onChange(() => resolve(Date.now())));
    await registrar.register(healthz.registration('im-1'));
    const passingAt = await eventually(() => (sim.services()[0]?.checks[0]?.status === 'passing' ? Date.now() : undefined));
    // Seen well before the 10s wait elapses: the held query returned on the change.
    expect((await changed) - passingAt).toBeLessThan(2_000);

    const queries = healthQueries(sim);
    expect(queries.length).toBeLessThan(10);
    const blocking = queries.filter((q) => q.query.index !== undefined);
    expect(blocking.length).toBeGreaterThan(0);
    for (const q of blocking) {
      expect(Number(q.query.index)).toBeGreaterThanOrEqual(1);
      expect(q.query.wait).toBe('10s');
      expect(q.query.passing).toBeUndefined(); // every instance with its checks: the directory chooses (panic mode)
    }
  });

  it('keeps the last good list while Consul is down and catches up when it is back', async () => {
    const warn = jest.fn();
    const info = jest.fn();
    await directory.stop();
    directory = new ConsulNodeDirectory(directoryOptions(sim, { logger: { warn, info }, panicMode: false }));
    await directory.start();
    await registrar.register(healthz.registration('im-1'));
    const good = await eventually(() => (directory.healthyNodes().length === 1 ? directory.healthyNodes() : undefined));

    await sim.setUnavailable(true);
    await eventually(() => (warn.mock.calls.length > 0 ? true : undefined));
    healthz.status = 500; // the node dies during the outage; Consul's catalog notices, we cannot yet
    await new Promise((r) => setTimeout(r, 500));
    expect(directory.healthyNodes()).toEqual(good);
    expect(directory.healthyNodes()).toHaveLength(1);

    await sim.setUnavailable(false);
    await eventually(() => (directory.healthyNodes().length === 0 ? true : undefined), 5_000);
    expect(info).toHaveBeenCalledWith(expect.objectContaining({ failures: expect.any(Number) }), 'consul reachable again');
  });

  it('start() gives up waiting after startTimeoutMs when Consul is down, and fills in later', async () => {
    await registrar.register({ ...healthz.registration('im-1') });
    await eventually(() => (sim.services()[0]?.checks[0]?.status === 'passing' ? true : undefined));
    await sim.setUnavailable(true);

    await directory.stop();
    directory = new ConsulNodeDirectory(directoryOptions(sim, { startTimeoutMs: 300 }));
    const started = Date.now();
    await directory.start();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(directory.healthyNodes()).toEqual([]);

    await sim.setUnavailable(false);
    await eventually(() => (directory.healthyNodes().length === 1 ? true : undefined));
  });

  it('recovers when the Consul index goes backwards', async () => {
    await directory.stop();
    directory = new ConsulNodeDirectory(directoryOptions(sim, { waitMs: 500 }));
    await directory.start();
    await new Promise((r) => setTimeout(r, 100));

    const queriesBeforeReset = healthQueries(sim).length;
    sim.resetIndex(1); // e.g. a snapshot restore: our held index is now ahead of the server
    await registrar.register(healthz.registration('im-1'));
    // The held query only returns when `wait` elapses; the lower index then resets ours
    // to 0, so the next query is a non-blocking one. The node may already show in the
    // held query's answer, so wait for that query itself rather than for the node.
    const isNonBlocking = (q: { query: { index?: unknown } }) => q.query.index === undefined;
    await eventually(() => (healthQueries(sim).slice(queriesBeforeReset).some(isNonBlocking) ? true : undefined), 3_000);
    await eventually(() => (directory.healthyNodes().length === 1 ? true : undefined), 3_000);
  });

  it('stop() cancels the held blocking query promptly', async () => {
    await directory.start();
    await new Promise((r) => setTimeout(r, 200)); // now holding a 10s blocking query
    const started = Date.now();
    await directory.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    const count = healthQueries(sim).length;
    await new Promise((r) => setTimeout(r, 300));
    expect(healthQueries(sim).length).toBe(count);
  });

  it('can be started again after stop()', async () => {
    await directory.start();
    await directory.stop();
    await registrar.register(healthz.registration('im-1'));
    await directory.start();
    await eventually(() => (directory.healthyNodes().length === 1 ? true : undefined));
  });

  it('retries registration with backoff until Consul comes up', async () => {
    await sim.setUnavailable(true);
    const warn = jest.fn();
    await registrar.close();
    registrar = new ConsulNodeRegistrar(registrarOptions(sim, { maxAttempts: 50, logger: { warn, info: jest.fn() }, token: 'secret-token' }));
    const registering = registrar.register(healthz.registration('im-1'));
    await new Promise((r) => setTimeout(r, 300));
    expect(warn).toHaveBeenCalled();
    await sim.setUnavailable(false);
    await registering;
    expect(sim.services().map((s) => s.id)).toEqual(['im-1']);
    expect(JSON.stringify(warn.mock.calls)).not.toContain('secret-token');
  });

  it('gives up after maxAttempts with UNAVAILABLE', async () => {
    await sim.setUnavailable(true);
    await registrar.close();
    registrar = new ConsulNodeRegistrar(registrarOptions(sim, { maxAttempts: 3 }));
    const err = await registrar.register(healthz.registration('im-1')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParleyError);
    expect((err as ParleyError).code).toBe('UNAVAILABLE');
  });

  it('deregister removes the node from Consul and from the directory', async () => {
    await directory.start();
    await registrar.register(healthz.registration('im-1'));
    await eventually(() => (directory.healthyNodes().length === 1 ? true : undefined));
    await registrar.deregister('im-1');
    expect(sim.services()).toEqual([]);
    await eventually(() => (directory.healthyNodes().length === 0 ? true : undefined));
  });

  it('maps entries to {nodeId, url} from Meta and ignores entries without a url', async () => {
    const other = await startHealthz();
    try {
      await directory.start();
      await registrar.register(healthz.registration('im-1'));
      // A foreign registration under the same name, without our Meta.
      await fetch(`${sim.url}/v1/agent/service/register`, {
        method: 'PUT',
        body: JSON.stringify({ Name: 'parley-im', ID: 'stray', Check: { HTTP: other.registration('x').healthUrl, Interval: '100ms' } }),
      });
      await eventually(() => (sim.services().every((s) => s.checks[0]?.status === 'passing') ? true : undefined));
      await eventually(() => (directory.healthyNodes().length === 1 ? true : undefined));
      await new Promise((r) => setTimeout(r, 200));
      expect(directory.healthyNodes()).toEqual([{ nodeId: 'im-1', url: healthz.registration('im-1').url }]);
      expect(ids(directory.healthyNodes())).toEqual(['im-1']);
    } finally {
      await other.close();
    }
  });
});

describe('nextIndex (Consul blocking-query index rules)', () => {
  it('follows a growing index', () => expect(nextIndex(5n, 9n)).toBe(9n));
  it('keeps an unchanged index', () => expect(nextIndex(9n, 9n)).toBe(9n));
  it('resets to 0 when the index goes backwards', () => expect(nextIndex(9n, 3n)).toBe(0n));
  it('never blocks on an index below 1', () => {
    expect(nextIndex(9n, 0n)).toBe(1n);
    expect(nextIndex(0n, undefined)).toBe(1n);
  });
});
