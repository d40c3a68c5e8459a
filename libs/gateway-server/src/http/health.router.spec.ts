import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { GatewayReadiness, mountHealthRoutes, type Pingable } from './health.router';

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
  const readiness = new GatewayReadiness(store, 200);
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve(readiness);
  });
  afterAll(() => server.close());

  it('is ready while the database answers, and says why not when it fails or does not answer in time', async () => {
    const ready = await fetch(`${server.base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });

    ping = () => Promise.reject(new Error('connect ECONNREFUSED'));
    const down = await fetch(`${server.base}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ code: 'UNAVAILABLE', detail: 'not ready: database unreachable' });

    ping = () => new Promise(() => undefined);
    const hanging = await fetch(`${server.base}/readyz`);
    expect(hanging.status).toBe(503);
    expect(await hanging.json()).toMatchObject({ detail: 'not ready: database not answering' });

    ping = () => Promise.resolve();
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
    expect(await stopping.json()).toMatchObject({ detail: 'not ready: stopping' });
  });
});
