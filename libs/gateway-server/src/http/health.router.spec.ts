import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { GatewayReadiness, mountHealthRoutes, type Pingable } from './health.router';
import { REST_OPERATIONS } from './rest-operations';

async function serve(readiness: GatewayReadiness): Promise<{ base: string; close(): Promise<void> }> {
  const app = express();
  mountHealthRoutes(app, readiness);
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('gateway /livez and /readyz', () => {
  let ping: () => Promise<void> = () => Promise.resolve();
  const store: Pingable = { ping: () => ping() };
  const readiness = new GatewayReadiness({ store }, { pingTimeoutMs: 200, answerCacheMs: 0 }); // no answer cache: each fetch sees the change just made
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve(readiness);
  });
  afterAll(() => server.close());

  /** Every 503 detail a test saw, checked against the OpenAPI table at the end. */
  const details = new Set<string>();
  const detailOf = async (res: Response): Promise<unknown> => {
    const body = (await res.json()) as { detail?: string };
    if (body.detail) details.add(body.detail);
    return body;
  };
  it('is ready while the database answers, and says why not when it fails or does not answer in time', async () => {
    const ready = await fetch(`${server.base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });

    ping = () => Promise.reject(new Error('connect ECONNREFUSED'));
    const down = await fetch(`${server.base}/readyz`);
    expect(down.status).toBe(503);
    expect(await detailOf(down)).toMatchObject({ code: 'UNAVAILABLE', status: 503, detail: 'not ready: database unreachable', failed: ['database'] });

    let answer: () => void = () => undefined;
    ping = () => new Promise((resolve) => (answer = resolve));
    const hanging = await fetch(`${server.base}/readyz`);
    expect(hanging.status).toBe(503);
    expect(await detailOf(hanging)).toMatchObject({ detail: 'not ready: database not answering' });

    ping = () => Promise.resolve();
    // Still waiting on the hanging ping (not a second one): not ready until the database answers it.
    expect((await fetch(`${server.base}/readyz`)).status).toBe(503);
    answer();
    expect((await fetch(`${server.base}/readyz`)).status).toBe(200);
  });

  it('stays live whatever the database does, and is not ready once stopping', async () => {
    ping = () => Promise.reject(new Error('down'));
    expect((await fetch(`${server.base}/livez`)).status).toBe(200);
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    ping = () => Promise.resolve();
    readiness.markStopping();
    const stopping = await fetch(`${server.base}/readyz`);
    expect(stopping.status).toBe(503);
    expect(await detailOf(stopping)).toMatchObject({ detail: 'not ready: stopping', failed: ['stopping'] });
    expect(stopping.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('lists every 503 detail it answered in the OpenAPI table (runs after the tests above)', () => {
    const documented = REST_OPERATIONS.find((op) => op.path === '/readyz')?.errors.UNAVAILABLE ?? '';
    expect(details.size).toBe(3);
    expect([...details].filter((detail) => !documented.includes(`\`${detail}\``))).toEqual([]);
  });
});

describe('gateway /readyz under a flood', () => {
  const servers: Array<{ close(): Promise<void> }> = [];
  afterEach(() => Promise.all(servers.splice(0).map((s) => s.close())));

  const flood = async (base: string, count: number) =>
    Promise.all(Array.from({ length: count }, () => fetch(`${base}/readyz`).then(async (r) => ({ status: r.status, body: (await r.json()) as unknown }))));

  it('200 concurrent requests share one store ping and its answer', async () => {
    let pings = 0;
    const readiness = new GatewayReadiness({ store: { ping: async () => void (pings += 1) } }, { pingTimeoutMs: 1_000, answerCacheMs: 60_000 });
    const server = await serve(readiness);
    servers.push(server);
    const answers = await flood(server.base, 200);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(pings).toBe(1);
  });

  it('a ping that hangs past its timeout is never doubled, whatever the callers and however old the answer', async () => {
    let pings = 0;
    let answer: () => void = () => undefined;
    let hang = true;
    const store: Pingable = {
      ping: () => {
        pings += 1;
        return hang ? new Promise<void>((resolve) => (answer = resolve)) : Promise.resolve();
      },
    };
    const readiness = new GatewayReadiness({ store }, { pingTimeoutMs: 50, answerCacheMs: 0 }); // no cache: every round would ping again
    const server = await serve(readiness);
    servers.push(server);
    for (let round = 0; round < 3; round++) {
      const answers = await flood(server.base, 50);
      expect(answers.every((a) => a.status === 503)).toBe(true);
      expect(answers[0]?.body).toMatchObject({ detail: 'not ready: database not answering' });
    }
    expect(pings).toBe(1);
    hang = false;
    answer();
    expect((await fetch(`${server.base}/readyz`)).status).toBe(200); // answered: the next check pings afresh
    expect(pings).toBe(2);
  });
});
