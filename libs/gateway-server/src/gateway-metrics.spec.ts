import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JwtTokenService } from '@parley/auth';
import { MemoryNodeRegistry } from '@parley/discovery';
import { systemClock, type PasswordHasher, type Store } from '@parley/domain';
import { MemoryThrottleFactory } from '@parley/limits';
import { ParleyMetrics } from '@parley/observability';
import { RelayAuth } from '@parley/relay';
import { openStore } from '@parley/store';
import { createUlidGenerator } from '@parley/util-node';
import { createGateway, type GatewayParts } from './create-gateway';
import type { GatewayServer } from './gateway-server';

/** Hashing is not under test here: a cheap stand-in keeps the spec fast. */
const plainHasher: PasswordHasher = {
  hash: async (password) => `plain:${password}`,
  verify: async (hash, password) => hash === `plain:${password}`,
};

/** Series lines of a family in Prometheus text, e.g. `name{a="b"} 1`. */
const seriesOf = (text: string, family: string): string[] => text.split('\n').filter((line) => line.startsWith(`${family}{`) || line.startsWith(`${family} `));

describe('gateway metrics', () => {
  let store: Store;
  const started: GatewayServer[] = [];

  beforeEach(async () => {
    store = await openStore({ kind: 'sqlite', filename: ':memory:' });
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((g) => g.stop()));
    await store.close();
  });

  const start = async (overrides: Partial<GatewayParts> = {}) => {
    const metrics = overrides.metrics ?? new ParleyMetrics({ defaultMetrics: false });
    const gateway = createGateway({
      gatewayId: 'gw-test',
      metrics,
      relayHost: '127.0.0.1',
      relayPort: 0,
      relayAuth: new RelayAuth({ secret: crypto.randomBytes(32).toString('base64url') }),
      router: 'round-robin',
      store,
      directory: new MemoryNodeRegistry(),
      hasher: plainHasher,
      passwordPolicy: { check: () => undefined },
      throttles: new MemoryThrottleFactory(),
      limits: { registration: { perIp: 1 } },
      tokens: new JwtTokenService({ secret: crypto.randomBytes(48).toString('base64url') }, systemClock),
      ids: createUlidGenerator(),
      clock: systemClock,
      logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: function () { return this; } },
      ...overrides,
    });
    started.push(gateway);
    const listening = await gateway.start({ host: '127.0.0.1', port: 0 });
    return { ...listening, metrics };
  };

  it('answers GET /metrics with Prometheus text (never the web app), HTTP timings by route pattern among them', async () => {
    const staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-gw-metrics-'));
    fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>web client</title>');
    const { httpUrl } = await start({ staticDir });
    expect(await (await fetch(`${httpUrl}/some/client/route`)).text()).toContain('web client');
    expect((await fetch(`${httpUrl}/livez`)).status).toBe(200);
    expect((await fetch(`${httpUrl}/readyz`)).status).toBe(200);
    const res = await fetch(`${httpUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).not.toMatch(/<html|<!doctype/i);
    expect(seriesOf(text, 'parley_http_request_duration_seconds_count')).toEqual(
      expect.arrayContaining([
        'parley_http_request_duration_seconds_count{gateway="gw-test",method="GET",route="/livez",status="200"} 1',
        'parley_http_request_duration_seconds_count{gateway="gw-test",method="GET",route="/readyz",status="200"} 1',
      ]),
    );
    expect(seriesOf(text, 'parley_ready')).toEqual(['parley_ready{node="",gateway="gw-test"} 1']);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9A-Z]{26}$/);
    expect(seriesOf(text, 'parley_http_request_duration_seconds_count')).toContain(
      'parley_http_request_duration_seconds_count{gateway="gw-test",method="GET",route="static",status="200"} 1',
    );
    fs.rmSync(staticDir, { recursive: true, force: true });
  });

  it('with a metrics port: serves them there, and answers 404 (a problem document) on the main port', async () => {
    const { httpUrl, metricsPort } = await start({ metricsPort: 0 });
    expect(metricsPort).toEqual(expect.any(Number));
    const main = await fetch(`${httpUrl}/metrics`);
    expect(main.status).toBe(404);
    expect(main.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await main.json()).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    const own = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(own.status).toBe(200);
    const text = await own.text();
    expect(text).toContain('# TYPE parley_http_request_duration_seconds histogram');
    expect(seriesOf(text, 'parley_http_request_duration_seconds_count')).toContain(
      'parley_http_request_duration_seconds_count{gateway="gw-test",method="GET",route="/metrics",status="404"} 1',
    );
    expect((await fetch(`http://127.0.0.1:${metricsPort}/api/auth/login`)).status).toBe(404);
  });

  it('counts rate-limit refusals by limit and assignments by outcome', async () => {
    const { httpUrl, metrics } = await start();
    const register = (username: string) =>
      fetch(`${httpUrl}/api/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'long enough password' }) });
    const first = await register('metrics_ann');
    expect(first.status).toBe(201);
    const { token } = (await first.json()) as { token: string };
    expect((await register('metrics_bob')).status).toBe(429);
    expect((await register('metrics_cy')).status).toBe(429);
    // No node is registered: every assignment is NO_NODES.
    expect((await fetch(`${httpUrl}/api/nodes/assign`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(503);
    const text = (await metrics.text()).body;
    expect(seriesOf(text, 'parley_rate_limited_total')).toEqual(['parley_rate_limited_total{node="",gateway="gw-test",limit="register-ip"} 2']);
    expect(seriesOf(text, 'parley_assignments_total')).toEqual(['parley_assignments_total{gateway="gw-test",outcome="no_nodes"} 1']);
    expect(seriesOf(text, 'parley_http_request_duration_seconds_count')).toEqual(
      expect.arrayContaining([
        'parley_http_request_duration_seconds_count{gateway="gw-test",method="POST",route="/api/auth/register",status="429"} 2',
        'parley_http_request_duration_seconds_count{gateway="gw-test",method="GET",route="/api/nodes/assign",status="503"} 1',
      ]),
    );
  });

  it('reports parley_ready 0 once stopping, and nothing of the gateway once stopped', async () => {
    const { metrics } = await start();
    const gateway = started.splice(0)[0];
    const stopping = gateway?.stop();
    // stop() marks the gateway stopping at once, then closes its listeners.
    expect(seriesOf((await metrics.text()).body, 'parley_ready')).toEqual(['parley_ready{node="",gateway="gw-test"} 0']);
    await stopping;
    expect(seriesOf((await metrics.text()).body, 'parley_ready')).toEqual([]);
  });
});
