import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { at } from './at';
import { startConsulSimulator, type ConsulSimulator, type ConsulSimulatorOptions } from './consul-simulator';

/** A /healthz server whose answer the test controls. */
interface HealthServer {
  url: string;
  status: number;
  hits: number;
  close(): Promise<void>;
}

async function startHealthServer(status = 200): Promise<HealthServer> {
  const state = { status, hits: 0 };
  const server = http.createServer((_req, res) => {
    state.hits += 1;
    res.writeHead(state.status, { 'Content-Type': 'text/plain' }).end(state.status === 200 ? 'ok' : 'down');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/healthz`,
    get status() {
      return state.status;
    },
    set status(v: number) {
      state.status = v;
    },
    get hits() {
      return state.hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface HealthEntry {
  Service: { ID: string; Service: string; Meta: Record<string, string>; Port: number; Address: string };
  Checks: Array<{ CheckID: string; Status: string; Output: string; ServiceID: string }>;
}

const FAST: ConsulSimulatorOptions = { minCheckIntervalMs: 50, staggerChecks: false };

describe('Consul simulator', () => {
  let sim: ConsulSimulator;
  let health: HealthServer;

  const put = (path: string, body?: unknown) =>
    fetch(`${sim.url}${path}`, { method: 'PUT', body: body === undefined ? undefined : JSON.stringify(body) });
  const healthService = async (name: string, query = '') => {
    const res = await fetch(`${sim.url}/v1/health/service/${name}${query}`);
    return { res, index: Number(res.headers.get('x-consul-index')), body: (await res.json()) as HealthEntry[] };
  };
  const registerWeb = (id: string, extra: Record<string, unknown> = {}) =>
    put('/v1/agent/service/register', {
      Name: 'web',
      ID: id,
      Address: '127.0.0.1',
      Port: 8080,
      Meta: { url: `http://127.0.0.1:8080/${id}` },
      Check: { HTTP: health.url, Interval: '50ms', Timeout: '1s', ...extra },
    });

  afterEach(async () => {
    await sim?.stop();
    await health?.close();
  });

  describe('with fast checks', () => {
    beforeEach(async () => {
      sim = await startConsulSimulator(FAST);
      health = await startHealthServer();
    });

    it('registers a service whose HTTP check starts critical, then passes once its URL answers 2xx', async () => {
      health.status = 500;
      expect((await registerWeb('web-1')).status).toBe(200);

      const services = (await (await fetch(`${sim.url}/v1/agent/services`)).json()) as Record<string, { Service: string; Port: number }>;
      expect(services['web-1']).toMatchObject({ Service: 'web', Port: 8080 });

      const all = await healthService('web');
      expect(all.index).toBeGreaterThan(0);
      expect(all.body).toHaveLength(1);
      const entry = at(all.body, 0, 'health entry');
      expect(entry.Service).toMatchObject({ ID: 'web-1', Meta: { url: 'http://127.0.0.1:8080/web-1' } });
      expect(entry.Checks.map((c) => c.CheckID)).toEqual(['serfHealth', 'service:web-1']);
      expect(entry.Checks[1]?.Status).toBe('critical');
      expect((await healthService('web', '?passing=true')).body).toEqual([]);

      health.status = 200;
      const passing = await until(async () => {
        const r = await healthService('web', '?passing=true');
        return r.body.length === 1 ? r : undefined;
      });
      expect(passing.index).toBeGreaterThan(all.index);
      expect(passing.body[0]?.Checks[1]?.Output).toContain('200');
    });

    it('turns a check critical when its URL fails, and warning on 429', async () => {
      await registerWeb('web-1', { Status: 'passing' });
      expect((await healthService('web', '?passing')).body).toHaveLength(1);

      health.status = 429;
      await until(async () => ((await healthService('web')).body[0]?.Checks[1]?.Status === 'warning' ? true : undefined));
      expect((await healthService('web', '?passing=true')).body).toEqual([]);

      health.status = 503;
      await until(async () => ((await healthService('web')).body[0]?.Checks[1]?.Status === 'critical' ? true : undefined));
      expect(sim.services()[0]?.checks[0]?.status).toBe('critical');

      health.status = 200;
      await until(async () => ((await healthService('web', '?passing')).body.length === 1 ? true : undefined));
      await health.close(); // a refused connection is critical too
      await until(async () => ((await healthService('web', '?passing')).body.length === 0 ? true : undefined));
      // A check in flight as the server closed may end in ECONNRESET; the next ones are refused.
      await until(() => (sim.services()[0]?.checks[0]?.output.includes('ECONNREFUSED') ? true : undefined));
      expect(sim.services()[0]?.checks[0]?.status).toBe('critical');
    });

    it('holds a blocking query until the index changes, then answers early', async () => {
      await registerWeb('web-1', { Status: 'passing' });
      const first = await healthService('web', '?passing=true');

      const started = Date.now();
      const blocked = healthService('web', `?passing=true&index=${first.index}&wait=5s`);
      await new Promise((r) => setTimeout(r, 200));
      await registerWeb('web-2', { Status: 'passing' });
      const changed = await blocked;

      expect(Date.now() - started).toBeLessThan(2_000);
      expect(changed.index).toBeGreaterThan(first.index);
      expect(changed.body.map((e) => e.Service.ID)).toEqual(['web-1', 'web-2']);
    });

    it('holds a blocking query for `wait` (plus at most wait/16) when nothing changes', async () => {
      await registerWeb('web-1', { Status: 'passing' });
      const first = await healthService('web');
      const started = Date.now();
      const again = await healthService('web', `?index=${first.index}&wait=400ms`);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(390);
      expect(elapsed).toBeLessThan(1_000);
      expect(again.index).toBe(first.index);
    });

    it('does not wake blocking queries on changes to other services', async () => {
      await registerWeb('web-1', { Status: 'passing' });
      const first = await healthService('web');
      const started = Date.now();
      const blocked = healthService('web', `?index=${first.index}&wait=500ms`);
      await put('/v1/agent/service/register', { Name: 'other', ID: 'other-1' });
      const result = await blocked;
      expect(Date.now() - started).toBeGreaterThanOrEqual(490);
      expect(result.index).toBe(first.index);
    });

    it('deregisters by ID and answers 404 for an unknown ID', async () => {
      await registerWeb('web-1', { Status: 'passing' });
      const before = await healthService('web');
      expect((await put('/v1/agent/service/deregister/web-1')).status).toBe(200);
      const after = await healthService('web');
      expect(after.body).toEqual([]);
      expect(after.index).toBeGreaterThan(before.index);
      expect(sim.services()).toEqual([]);

      const unknown = await put('/v1/agent/service/deregister/nope');
      expect(unknown.status).toBe(404);
      expect(await unknown.text()).toContain('Unknown service ID');
    });

    it('answers GET agent/service/:id with the service, and 404 "unknown service ID" for an unknown one', async () => {
      await registerWeb('web-1');
      const res = await fetch(`${sim.url}/v1/agent/service/web-1`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ ID: 'web-1', Service: 'web', Port: 8080, Datacenter: 'dc1' });
      expect(body.Meta).toEqual({ url: 'http://127.0.0.1:8080/web-1' });
      expect(body.ContentHash).toMatch(/^[0-9a-f]{16}$/);

      const unknown = await fetch(`${sim.url}/v1/agent/service/nope`);
      expect(unknown.status).toBe(404);
      expect(await unknown.text()).toBe('unknown service ID: nope');
      expect((await fetch(`${sim.url}/v1/agent/service/web-1`, { method: 'PUT' })).status).toBe(405);
    });

    it('forgetAll() drops every registration, as an agent restarted without its state, and wakes watchers', async () => {
      await registerWeb('web-1', { Status: 'passing' });
      await put('/v1/agent/service/register', { Name: 'other', ID: 'other-1' });
      const first = await healthService('web');
      const blocked = healthService('web', `?index=${first.index}&wait=5s`);
      await new Promise((r) => setTimeout(r, 100)); // the query is now held
      const started = Date.now();
      sim.forgetAll();
      const woken = await blocked;
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(woken.body).toEqual([]);
      expect(woken.index).toBeGreaterThan(first.index);
      expect(sim.services()).toEqual([]);
      expect(await (await fetch(`${sim.url}/v1/agent/services`)).json()).toEqual({});
      expect((await fetch(`${sim.url}/v1/agent/service/web-1`)).status).toBe(404);

      // Its checks stopped too; a new registration works as before.
      const hits = health.hits;
      await new Promise((r) => setTimeout(r, 200));
      expect(health.hits).toBe(hits);
      await registerWeb('web-1', { Status: 'passing' });
      expect((await healthService('web', '?passing')).body).toHaveLength(1);
    });

    it('rejects invalid registrations as Consul does', async () => {
      expect((await put('/v1/agent/service/register', { ID: 'x' })).status).toBe(400);
      expect((await put('/v1/agent/service/register', { Name: 'web', Check: { HTTP: health.url } })).status).toBe(400);
      expect((await put('/v1/agent/service/register', '{not json')).status).toBe(400);
      expect((await fetch(`${sim.url}/v1/agent/service/register`)).status).toBe(405);
      expect(sim.services()).toEqual([]);
    });

    it('numbers checks of a Checks array service:<id>:<n> and keeps status on re-registration', async () => {
      await put('/v1/agent/service/register', {
        Name: 'web',
        ID: 'w',
        Checks: [
          { HTTP: health.url, Interval: '10s', Status: 'passing' },
          { HTTP: health.url, Interval: '10s', Status: 'warning' },
        ],
      });
      expect(sim.services()[0]?.checks.map((c) => [c.checkId, c.status])).toEqual([
        ['service:w:1', 'passing'],
        ['service:w:2', 'warning'],
      ]);
      await put('/v1/agent/service/register', {
        Name: 'web',
        ID: 'w',
        Port: 9,
        Checks: [
          { HTTP: health.url, Interval: '10s' },
          { HTTP: health.url, Interval: '10s' },
        ],
      });
      expect(sim.services()[0]?.port).toBe(9);
      expect(sim.services()[0]?.checks.map((c) => c.status)).toEqual(['passing', 'warning']);
    });

    it('refuses connections while unavailable and comes back on the same port with its state', async () => {
      await registerWeb('web-1', { Status: 'passing' });
      const port = sim.port;
      const blocked = healthService('web', `?index=${sim.currentIndex()}&wait=10s`).then(
        () => 'answered',
        () => 'failed',
      );
      await new Promise((r) => setTimeout(r, 50));

      await sim.setUnavailable(true);
      expect(await blocked).toBe('failed');
      await expect(fetch(`${sim.url}/v1/agent/services`)).rejects.toThrow();

      await sim.setUnavailable(false);
      expect(sim.port).toBe(port);
      expect((await healthService('web')).body.map((e) => e.Service.ID)).toEqual(['web-1']);
    });

    it('resetIndex makes a client holding a higher index see the index go backwards after wait', async () => {
      await registerWeb('web-1', { Status: 'passing' });
      const first = await healthService('web');
      sim.resetIndex(1);
      const started = Date.now();
      const after = await healthService('web', `?index=${first.index}&wait=300ms`);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(after.index).toBeLessThan(first.index);
      expect(after.index).toBeGreaterThanOrEqual(1);
    });
  });

  it('answers 500 "No cluster leader" in no-leader outage mode', async () => {
    sim = await startConsulSimulator({ ...FAST, outage: 'no-leader' });
    health = await startHealthServer();
    await sim.setUnavailable(true);
    const res = await fetch(`${sim.url}/v1/health/service/web`);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('No cluster leader');
    await sim.setUnavailable(false);
    expect((await fetch(`${sim.url}/v1/health/service/web`)).status).toBe(200);
  });

  it('reaps a service whose check stays critical past DeregisterCriticalServiceAfter', async () => {
    sim = await startConsulSimulator({ ...FAST, reapIntervalMs: 50, minDeregisterCriticalMs: 0 });
    health = await startHealthServer(500);
    await registerWeb('web-1', { DeregisterCriticalServiceAfter: '300ms' });
    await new Promise((r) => setTimeout(r, 150));
    expect(sim.services()).toHaveLength(1);
    await until(() => (sim.services().length === 0 ? true : undefined), 3_000);
  });

  it('clamps check intervals to Consul’s 1s minimum by default', async () => {
    sim = await startConsulSimulator({ staggerChecks: false });
    health = await startHealthServer();
    await registerWeb('web-1');
    expect(sim.services()[0]?.checks[0]?.intervalMs).toBe(1_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(health.hits).toBe(1); // first run immediately, next one a second later
  });
});

describe('Consul simulator with ACLs (default policy deny)', () => {
  const TOKEN = 'a3c1f0e2-7b5d-4e8a-9c6f-0d1e2f3a4b5c';
  let sim: ConsulSimulator;
  let health: HealthServer;
  const registration = (id: string) =>
    JSON.stringify({ Name: 'web', ID: id, Port: 8080, Check: { HTTP: health.url, Interval: '50ms', Status: 'passing' } });
  const register = (id: string, headers: Record<string, string> = {}, query = '') =>
    fetch(`${sim.url}/v1/agent/service/register${query}`, { method: 'PUT', headers, body: registration(id) });

  beforeEach(async () => {
    sim = await startConsulSimulator({ ...FAST, aclToken: TOKEN });
    health = await startHealthServer();
  });

  afterEach(async () => {
    await sim.stop();
    await health.close();
  });

  it('accepts the token as X-Consul-Token, Authorization: Bearer or ?token=', async () => {
    expect((await register('web-1', { 'X-Consul-Token': TOKEN })).status).toBe(200);
    expect((await register('web-2', { Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await register('web-3', {}, `?token=${TOKEN}`)).status).toBe(200);
    expect(sim.services().map((s) => s.id)).toEqual(['web-1', 'web-2', 'web-3']);
    const res = await fetch(`${sim.url}/v1/health/service/web`, { headers: { 'X-Consul-Token': TOKEN } });
    expect(res.headers.get('x-consul-default-acl-policy')).toBe('deny');
    expect(res.headers.get('x-consul-results-filtered-by-acls')).toBeNull();
    expect(((await res.json()) as unknown[]).length).toBe(3);
  });

  it('answers 403 "ACL not found" to an unknown token, on reads and writes', async () => {
    const write = await register('web-1', { 'X-Consul-Token': 'not-the-token' });
    expect(write.status).toBe(403);
    expect(await write.text()).toBe('ACL not found');
    const read = await fetch(`${sim.url}/v1/health/service/web?token=wrong`);
    expect(read.status).toBe(403);
    expect(await read.text()).toBe('ACL not found');
    expect(sim.services()).toEqual([]);
  });

  it('denies the anonymous token writes and hides what it may not read', async () => {
    const write = await register('web-1');
    expect(write.status).toBe(403);
    expect(await write.text()).toBe(
      `Permission denied: token with AccessorID '00000000-0000-0000-0000-000000000002' lacks permission 'service:write' on "web"`,
    );
    expect((await register('web-1', { 'X-Consul-Token': TOKEN })).status).toBe(200);
    expect((await fetch(`${sim.url}/v1/agent/service/deregister/web-1`, { method: 'PUT' })).status).toBe(403);

    const read = await fetch(`${sim.url}/v1/health/service/web`);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual([]);
    expect(read.headers.get('x-consul-results-filtered-by-acls')).toBe('true');
    expect(Number(read.headers.get('x-consul-index'))).toBeGreaterThan(0);
    expect(await (await fetch(`${sim.url}/v1/agent/services`)).json()).toEqual({});
    const one = await fetch(`${sim.url}/v1/agent/service/web-1`);
    expect(one.status).toBe(403);
    expect(await one.text()).toContain(`lacks permission 'service:read' on "web"`);
    expect((await fetch(`${sim.url}/v1/agent/service/web-1`, { headers: { 'X-Consul-Token': TOKEN } })).status).toBe(200);
    expect((await fetch(`${sim.url}/v1/status/leader`)).status).toBe(200);
    expect(sim.services().map((s) => s.id)).toEqual(['web-1']);
  });
});
