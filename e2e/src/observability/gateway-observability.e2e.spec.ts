import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  TEST_PASSWORD,
  findFreePort,
  spawnApp,
  startCluster,
  startRedis,
  startRedisOnPort,
  terminate,
  waitFor,
  type Cluster,
  type ClusterProcess,
  type RedisService,
} from '@parley/testing';
import { uniqueName } from '../support/test-user';

jest.setTimeout(90_000);

const LOG_DIR = path.resolve(__dirname, '../../../tmp/cluster-logs');
const strong = () => crypto.randomBytes(32).toString('base64url');

/** Series lines of a family in Prometheus text (`name{labels} value`). */
const seriesOf = (text: string, family: string): string[] => text.split('\n').filter((line) => line.startsWith(`${family}{`));
const valueOf = (text: string, family: string, ...labels: string[]): number | undefined => {
  const line = seriesOf(text, family).find((l) => labels.every((label) => l.includes(label)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
};

/** How the tests below poll the gateway and its log: every 100 ms for up to 20 s, a failed read (a log not yet written) counting as "not yet". */
const POLL = { timeoutMs: 20_000, intervalMs: 100, retryErrors: true };

interface LogLine {
  level: number;
  msg: string;
  requestId?: string;
  [key: string]: unknown;
}
const logLinesOf = (file: string): LogLine[] =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);

describe('a real gateway process: /metrics on its own port, request ids, access logs, readiness with its Redis', () => {
  const name = `obs-gw-${process.pid}`;
  const logFile = path.join(LOG_DIR, `${name}.log`);
  let redis: RedisService;
  let gateway: ClusterProcess;
  let base: string;
  let metricsUrl: string;
  let staticDir: string;

  beforeAll(async () => {
    redis = await startRedis();
    staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-obs-web-'));
    fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>web client</title>');
    const [port, relayPort, metricsPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
    gateway = await spawnApp(name, 'apps/gateway/src/main.ts', 'PARLEY_GATEWAY_READY', {
      PARLEY_GATEWAY_ID: 'gw-obs',
      PARLEY_PORT: String(port),
      PARLEY_RELAY_PORT: String(relayPort),
      PARLEY_METRICS_PORT: String(metricsPort),
      PARLEY_STORE: 'sqlite',
      PARLEY_SQLITE_PATH: ':memory:',
      PARLEY_DISCOVERY: 'static',
      PARLEY_STATIC_DIR: staticDir,
      PARLEY_REDIS_URL: redis.url,
      PARLEY_REDIS_PREFIX: `obs-${process.pid}:`,
      PARLEY_JWT_SECRET: strong(),
      PARLEY_CLUSTER_SECRET: strong(),
      PARLEY_LOG_LEVEL: 'info',
    });
    base = `http://127.0.0.1:${port}`;
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  });

  afterAll(async () => {
    if (gateway) await terminate(gateway);
    await redis?.stop();
    if (staticDir) fs.rmSync(staticDir, { recursive: true, force: true });
  });

  it('serves Prometheus text on PARLEY_METRICS_PORT, and neither metrics nor the web app at /metrics on the public port', async () => {
    const shell = await fetch(`${base}/some/client/route`);
    expect(await shell.text()).toContain('web client');
    const main = await fetch(`${base}/metrics`);
    expect(main.status).toBe(404);
    expect(main.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await main.json()).toMatchObject({ code: 'NOT_FOUND' });

    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const scrape = await fetch(metricsUrl);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await scrape.text();
    expect(text).not.toMatch(/<html|<!doctype/i);
    expect(valueOf(text, 'parley_ready', 'gateway="gw-obs"')).toBe(1);
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    // The readiness ping went through the timed store and the limits' Redis.
    expect(valueOf(text, 'parley_store_operation_duration_seconds_count', 'gateway="gw-obs"', 'operation="ping"', 'result="ok"')).toBeGreaterThanOrEqual(1);
  });

  it('echoes a safe X-Request-Id (a ULID otherwise) and logs the request under it, never its secrets', async () => {
    const username = uniqueName('obs');
    const registered = await fetch(`${base}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'e2e-register.1' },
      body: JSON.stringify({ username, password: TEST_PASSWORD }),
    });
    expect(registered.status).toBe(201);
    expect(registered.headers.get('x-request-id')).toBe('e2e-register.1');
    const { token, refreshToken } = (await registered.json()) as { token: string; refreshToken?: string };
    const cookie = registered.headers.get('set-cookie') ?? '';

    const me = await fetch(`${base}/api/me?q=private-query-term`, { headers: { authorization: `Bearer ${token}`, cookie, 'x-request-id': 'bad id with spaces' } });
    expect(me.status).toBe(200);
    const madeUp = me.headers.get('x-request-id') ?? '';
    expect(madeUp).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const wrong = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'e2e-wrong-login' },
      body: JSON.stringify({ username, password: 'not-the-password-at-all' }),
    });
    expect(wrong.status).toBe(401);

    const lines = await waitFor('the three access lines', async () => {
      const all = logLinesOf(logFile);
      return ['e2e-register.1', madeUp, 'e2e-wrong-login'].every((id) => all.some((l) => l.requestId === id && 'responseTime' in l)) ? all : undefined;
    }, POLL);
    expect(lines.find((l) => l.requestId === 'e2e-register.1' && 'responseTime' in l)).toMatchObject({
      level: 30,
      msg: 'POST /api/auth/register 201',
      req: { method: 'POST', path: '/api/auth/register' },
      res: { statusCode: 201 },
    });
    expect(lines.find((l) => l.requestId === madeUp && 'responseTime' in l)).toMatchObject({ req: { path: '/api/me' }, route: '/api/me' });
    expect(lines.find((l) => l.requestId === 'e2e-wrong-login' && 'responseTime' in l)).toMatchObject({ level: 40, res: { statusCode: 401 } });
    const raw = fs.readFileSync(logFile, 'utf8');
    for (const secret of [token, refreshToken, TEST_PASSWORD, 'not-the-password-at-all', 'private-query-term', cookie.split(';')[0]]) {
      if (secret) expect({ secret: secret.slice(0, 12), logged: raw.includes(secret) }).toEqual({ secret: secret.slice(0, 12), logged: false });
    }
    expect(raw).not.toMatch(/"authorization"|"cookie"|"set-cookie"/i);

    const text = await (await fetch(metricsUrl)).text();
    expect(valueOf(text, 'parley_http_request_duration_seconds_count', 'route="/api/auth/register"', 'status="201"')).toBe(1);
    expect(valueOf(text, 'parley_http_request_duration_seconds_count', 'route="/api/auth/login"', 'status="401"')).toBe(1);
    expect(valueOf(text, 'parley_redis_operation_duration_seconds_count', 'gateway="gw-obs"', 'operation="login-ip.consume"', 'result="ok"')).toBeGreaterThanOrEqual(1);
    expect(valueOf(text, 'parley_store_operation_duration_seconds_count', 'gateway="gw-obs"', 'operation="createUser"')).toBe(1);
    // No path the clients chose became a label.
    expect(text).not.toContain('private-query-term');
    expect(text).not.toContain('/some/client/route');
  });

  it('turns /readyz 503 naming redis while its Redis is down, and back to 200 when it returns', async () => {
    const port = redis.port;
    await redis.stop();
    const down = await waitFor('/readyz to fail', async () => {
      const res = await fetch(`${base}/readyz`);
      return res.status === 503 ? ((await res.json()) as { failed: string[]; detail: string }) : undefined;
    }, POLL);
    expect(down.failed).toEqual(['redis']);
    expect(down.detail).toMatch(/^not ready: redis (unreachable|not answering)$/);
    expect(valueOf(await (await fetch(metricsUrl)).text(), 'parley_ready', 'gateway="gw-obs"')).toBe(0);
    expect((await fetch(`${base}/livez`)).status).toBe(200);

    redis = await startRedisOnPort(port);
    await waitFor('/readyz to recover', async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined), POLL);
    expect(valueOf(await (await fetch(metricsUrl)).text(), 'parley_ready', 'gateway="gw-obs"')).toBe(1);
  });
});

describe('a gateway in a cluster: relay metrics', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, name: 'obs-relay-e2e' });
  }, 90_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('shows one ready stream per node, frames counted both ways, assignments by outcome', async () => {
    const gatewayMetrics = async () => (await fetch(`${cluster.gatewayUrl}/metrics`)).text();
    const text = await waitFor('both node streams up in the gateway metrics', async () => {
      const scraped = await gatewayMetrics();
      const up = ['im-1', 'im-2'].every((peer) => valueOf(scraped, 'parley_relay_streams_up', 'gateway="gw-1"', `peer="${peer}"`) === 1);
      return up ? scraped : undefined;
    }, POLL);
    expect(seriesOf(text, 'parley_relay_streams_up')).toHaveLength(2);
    expect(valueOf(text, 'parley_relay_frames_total', 'gateway="gw-1"', 'direction="in"')).toBeGreaterThan(0);
    expect(valueOf(text, 'parley_relay_frames_total', 'gateway="gw-1"', 'direction="out"')).toBeGreaterThan(0);

    const registered = await fetch(`${cluster.gatewayUrl}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: uniqueName('obsr'), password: TEST_PASSWORD }),
    });
    const { token } = (await registered.json()) as { token: string };
    const before = valueOf(await gatewayMetrics(), 'parley_assignments_total', 'outcome="ok"') ?? 0;
    for (let i = 0; i < 3; i++) expect((await fetch(`${cluster.gatewayUrl}/api/nodes/assign`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(valueOf(await gatewayMetrics(), 'parley_assignments_total', 'outcome="ok"')).toBe(before + 3);
  });
});
