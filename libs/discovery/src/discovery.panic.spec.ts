import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { at, startConsulSimulator, type ConsulSimulator } from '@parley/testing';
import { eventually, ids } from './discovery.contract';
import { ConsulNodeDirectory, type ConsulNodeDirectoryOptions } from './directory.consul';
import { ConsulGatewayDirectory } from './directory.gateway.consul';
import { relays } from './gateway-discovery.contract';
import { startHealthz, type HealthzFixture } from './healthz.fixture';
import { ConsulGatewayRegistrar } from './registrar.gateway.consul';
import { ConsulNodeRegistrar } from './registrar.consul';

/** Panic mode of the Consul watchers: a shared dependency's outage fails every check at once, and the list must not empty. */

const registrarOptions = (sim: ConsulSimulator) => ({
  address: sim.url,
  checkIntervalMs: 100,
  checkTimeoutMs: 500,
  retryMinDelayMs: 20,
  retryMaxDelayMs: 100,
});

const healthQueries = (sim: ConsulSimulator, service = 'parley-im') => sim.requests().filter((r) => r.path === `/v1/health/service/${service}`);
const checkStatuses = (sim: ConsulSimulator) => sim.services().map((s) => s.checks[0]?.status);
const messages = (fn: jest.Mock) => fn.mock.calls.map(([, msg]) => String(msg));
const panicWarnings = (warn: jest.Mock) => messages(warn).filter((m) => m.startsWith('panic mode:'));
const panicOver = (info: jest.Mock) => messages(info).filter((m) => m.startsWith('panic mode over'));

describe('Consul node directory in panic mode (simulator)', () => {
  let sim: ConsulSimulator;
  let registrar: ConsulNodeRegistrar;
  let directory: ConsulNodeDirectory;
  const fixtures: HealthzFixture[] = [];
  const warn = jest.fn();
  const info = jest.fn();

  const open = (extra: ConsulNodeDirectoryOptions = {}) =>
    new ConsulNodeDirectory({ address: sim.url, waitMs: 10_000, startTimeoutMs: 1_000, retryMinDelayMs: 20, retryMaxDelayMs: 200, logger: { warn, info }, ...extra });
  /** Registers nodes whose /healthz answers 200 until told otherwise, and waits for them all to pass. */
  const nodes = async (...nodeIds: string[]): Promise<HealthzFixture[]> => {
    const started: HealthzFixture[] = [];
    for (const nodeId of nodeIds) {
      const fixture = await startHealthz();
      fixtures.push(fixture);
      started.push(fixture);
      await registrar.register(fixture.registration(nodeId));
    }
    await eventually(() => (checkStatuses(sim).every((s) => s === 'passing') ? true : undefined));
    return started;
  };
  const listed = () => ids(directory.healthyNodes()).join();

  beforeEach(async () => {
    warn.mockReset();
    info.mockReset();
    sim = await startConsulSimulator({ minCheckIntervalMs: 50 });
    registrar = new ConsulNodeRegistrar(registrarOptions(sim));
    directory = open();
  });

  afterEach(async () => {
    await directory.stop();
    await registrar.close();
    await Promise.all(fixtures.splice(0).map((f) => f.close()));
    await sim.stop();
  });

  it('lists every registered node when all turn critical at once, says so once, and keeps blocking on the index', async () => {
    const started = await nodes('im-a', 'im-b', 'im-c');
    const a = at(started, 0, 'node'), b = at(started, 1, 'node'), c = at(started, 2, 'node');
    await directory.start();
    await eventually(() => (listed() === 'im-a,im-b,im-c' ? true : undefined));
    const seen: string[][] = [];
    directory.onChange((list) => seen.push(ids(list)));

    for (const f of [a, b, c]) f.status = 503; // the shared Redis is down: every /readyz fails
    await eventually(() => (checkStatuses(sim).every((s) => s === 'critical') ? true : undefined));
    await eventually(() => (directory.inPanicMode() ? true : undefined));
    expect(listed()).toBe('im-a,im-b,im-c');
    // Checks fail one after another, so the list may shrink while some still pass; it ends with all of them.
    expect(seen.at(-1) ?? ['im-a', 'im-b', 'im-c']).toEqual(['im-a', 'im-b', 'im-c']);

    // Checks flap while in panic (critical → warning → critical): more answers, still one warning.
    const queriesBefore = healthQueries(sim).length;
    a.status = 429; // Consul: warning
    await eventually(() => (sim.services().find((s) => s.id === 'im-a')?.checks[0]?.status === 'warning' ? true : undefined));
    a.status = 503;
    await eventually(() => (sim.services().find((s) => s.id === 'im-a')?.checks[0]?.status === 'critical' ? true : undefined));
    await eventually(() => (healthQueries(sim).length >= queriesBefore + 2 ? true : undefined));
    expect(listed()).toBe('im-a,im-b,im-c');
    expect(panicWarnings(warn)).toEqual([
      'panic mode: none of the 3 registered IM nodes passes its consul check; listing them all (a shared dependency such as the database or Redis may be down)',
    ]);
    expect(warn.mock.calls.find(([, m]) => String(m).startsWith('panic mode:'))?.[0]).toEqual({ service: 'parley-im', registered: 3 });
    expect(panicOver(info)).toEqual([]);

    // Idle in panic: one held blocking query (index and wait, no passing filter), no polling storm.
    const idleFrom = healthQueries(sim).length;
    await eventually(() => (sim.currentIndex() > 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, 1_000)); // measuring that nothing happens: a stretch of time is the point
    const idle = healthQueries(sim).slice(idleFrom);
    expect(idle.length).toBeLessThanOrEqual(1);
    for (const q of healthQueries(sim).filter((r) => r.query.index !== undefined)) {
      expect(q.query.wait).toBe('10s');
      expect(q.query.passing).toBeUndefined();
    }
  });

  it('lists only the passing node once one passes, says panic is over once, and lists all again as they recover', async () => {
    const started = await nodes('im-a', 'im-b');
    const a = at(started, 0, 'node'), b = at(started, 1, 'node');
    await directory.start();
    a.status = 503;
    b.status = 503;
    await eventually(() => (directory.inPanicMode() ? true : undefined));
    const seen: string[][] = [];
    directory.onChange((list) => seen.push(ids(list)));

    b.status = 200;
    await eventually(() => (listed() === 'im-b' ? true : undefined));
    expect(directory.inPanicMode()).toBe(false);
    a.status = 200;
    await eventually(() => (listed() === 'im-a,im-b' ? true : undefined));
    expect(seen).toEqual([['im-b'], ['im-a', 'im-b']]);
    expect(panicWarnings(warn)).toHaveLength(1);
    expect(panicOver(info)).toEqual(['panic mode over: listing only the nodes that pass their consul check']);

    // A second outage is a second panic: warned again, once.
    a.status = 503;
    b.status = 503;
    await eventually(() => (directory.inPanicMode() ? true : undefined));
    expect(listed()).toBe('im-a,im-b');
    expect(panicWarnings(warn)).toHaveLength(2);
  });

  it('does not panic while one node passes: a failing node stays out', async () => {
    const started = await nodes('im-a', 'im-b');
    const a = at(started, 0, 'node');
    await directory.start();
    a.status = 503;
    await eventually(() => (listed() === 'im-b' ? true : undefined));
    await eventually(() => (healthQueries(sim).length >= 3 ? true : undefined));
    expect(directory.inPanicMode()).toBe(false);
    expect(panicWarnings(warn)).toEqual([]);
  });

  it('in panic, drops a node that deregisters, and leaves panic (empty) when none is registered', async () => {
    const started = await nodes('im-a', 'im-b');
    const a = at(started, 0, 'node'), b = at(started, 1, 'node');
    await directory.start();
    a.status = 503;
    b.status = 503;
    await eventually(() => (directory.inPanicMode() ? true : undefined));
    await registrar.deregister('im-a');
    await eventually(() => (listed() === 'im-b' ? true : undefined));
    expect(directory.inPanicMode()).toBe(true);
    await registrar.deregister('im-b');
    await eventually(() => (listed() === '' ? true : undefined));
    expect(directory.inPanicMode()).toBe(false);
    expect(panicOver(info)).toHaveLength(1);
  });

  it('lists critical nodes from the first answer (a cold start before any check passed)', async () => {
    const fixture = await startHealthz();
    fixtures.push(fixture);
    fixture.status = 503;
    await registrar.register(fixture.registration('im-a')); // registered critical, as Consul's default is
    await directory.start();
    await eventually(() => (listed() === 'im-a' ? true : undefined));
    expect(directory.inPanicMode()).toBe(true);
  });

  it('with panicMode: false lists nothing when nothing passes', async () => {
    await directory.stop();
    directory = open({ panicMode: false });
    const started = await nodes('im-a', 'im-b');
    const a = at(started, 0, 'node'), b = at(started, 1, 'node');
    await directory.start();
    await eventually(() => (listed() === 'im-a,im-b' ? true : undefined));
    a.status = 503;
    b.status = 503;
    await eventually(() => (listed() === '' ? true : undefined));
    expect(directory.inPanicMode()).toBe(false);
    expect(panicWarnings(warn)).toEqual([]);
  });
});

describe('Consul gateway directory in panic mode (simulator)', () => {
  it('keeps every registered gateway when all turn critical, so a node keeps its relay streams', async () => {
    const sim = await startConsulSimulator({ minCheckIntervalMs: 50 });
    const registrar = new ConsulGatewayRegistrar(registrarOptions(sim));
    const warn = jest.fn();
    const directory = new ConsulGatewayDirectory({ address: sim.url, waitMs: 10_000, retryMinDelayMs: 20, logger: { warn, info: jest.fn() } });
    const g1 = await startHealthz();
    const g2 = await startHealthz();
    try {
      await registrar.register(g1.gatewayRegistration('gw-1'));
      await registrar.register(g2.gatewayRegistration('gw-2'));
      await directory.start();
      await eventually(() => (directory.liveGateways().length === 2 ? true : undefined));
      const seen: string[][] = [];
      directory.onChange((list) => seen.push(relays(list)));

      g1.status = 503;
      g2.status = 503;
      await eventually(() => (directory.inPanicMode() ? true : undefined));
      expect(relays(directory.liveGateways())).toEqual([g1.gatewayRegistration('gw-1').relayAddress, g2.gatewayRegistration('gw-2').relayAddress]);
      expect(seen.at(-1) ?? relays(directory.liveGateways())).toEqual(relays(directory.liveGateways())); // may shrink first, ends with all
      expect(panicWarnings(warn)).toEqual([
        'panic mode: none of the 2 registered gateways passes its consul check; listing them all (a shared dependency such as the database or Redis may be down)',
      ]);

      g2.status = 200;
      await eventually(() => (directory.liveGateways().length === 1 ? true : undefined));
      expect(directory.liveGateways()[0]?.gatewayId).toBe('gw-2');
    } finally {
      await directory.stop();
      await registrar.close();
      await g1.close();
      await g2.close();
      await sim.stop();
    }
  });
});

/** Answers the health query with a fixed body (entries no simulator check produces: maintenance, odd Checks). */
async function startStandIn(body: unknown): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'X-Consul-Index': '7' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('which entries panic mode lists (Consul answers as documented)', () => {
  const entry = (id: string, checks: unknown) => ({ Service: { ID: id, Meta: { url: `http://${id}:3001` } }, Checks: checks });
  const check = (CheckID: string, Status: string) => ({ CheckID, Status });
  const serf = check('serfHealth', 'passing');

  const listedBy = async (entries: unknown[]): Promise<{ listed: string[]; panic: boolean }> => {
    const standIn = await startStandIn(entries);
    const directory = new ConsulNodeDirectory({ address: standIn.url, waitMs: 1_000, startTimeoutMs: 2_000 });
    try {
      await directory.start();
      return { listed: ids(directory.healthyNodes()), panic: directory.inPanicMode() };
    } finally {
      await directory.stop();
      await standIn.close();
    }
  };

  it('leaves out instances in maintenance (service or node), even in panic', async () => {
    const result = await listedBy([
      entry('im-a', [serf, check('service:im-a', 'critical')]),
      entry('im-maint', [serf, check('service:im-maint', 'passing'), check('_service_maintenance:im-maint', 'critical')]),
      entry('im-node-maint', [check('_node_maintenance', 'critical'), check('service:im-node-maint', 'critical')]),
    ]);
    expect(result).toEqual({ listed: ['im-a'], panic: true });
  });

  it('counts an entry passing only when every check passes (the node check too), and one without checks as passing', async () => {
    const result = await listedBy([
      entry('im-serf-down', [check('serfHealth', 'critical'), check('service:im-serf-down', 'passing')]),
      entry('im-warning', [serf, check('service:im-warning', 'warning')]),
      entry('im-garbage', [serf, 'not a check', { Status: 7 }]),
      entry('im-no-checks', []),
    ]);
    expect(result).toEqual({ listed: ['im-no-checks'], panic: false });
  });

  it('in panic lists warning, critical and unreadable-check entries alike', async () => {
    const result = await listedBy([
      entry('im-warning', [serf, check('service:im-warning', 'warning')]),
      entry('im-critical', [serf, check('service:im-critical', 'critical')]),
      entry('im-garbage', [serf, null]),
    ]);
    expect(result).toEqual({ listed: ['im-critical', 'im-garbage', 'im-warning'], panic: true });
  });

  it('takes Checks that are not a list as none (the entry is not skipped)', async () => {
    const result = await listedBy([entry('im-a', 'not a list')]);
    expect(result).toEqual({ listed: ['im-a'], panic: false });
  });
});
