import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RelayLink } from '../relay/relay-link';
import { testMetrics } from '../testing/test-metrics';
import { nodeHttpHandler, type NodeHealthSource } from './health';
import { RelayReadiness } from './relay-readiness';

async function serve(source: NodeHealthSource): Promise<{ base: string; close(): Promise<void> }> {
  const server = http.createServer(nodeHttpHandler(source));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('IM node health endpoints', () => {
  let reason: string | undefined;
  let accepting = true;
  let server: Awaited<ReturnType<typeof serve>>;
  const metrics = testMetrics();
  beforeAll(async () => {
    const readiness = async () => ({ ready: reason === undefined, failed: reason === undefined ? [] : [reason], reasons: reason === undefined ? [] : [reason] });
    server = await serve({ nodeId: 'im-9', accepting: () => accepting, readiness, metrics });
  });
  afterAll(() => server.close());

  it('/readyz answers 200 ready, then 503 with the reason as a problem document, then 200 again', async () => {
    reason = undefined;
    const ready = await fetch(`${server.base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', nodeId: 'im-9' });
    reason = 'draining';
    const draining = await fetch(`${server.base}/readyz`);
    expect(draining.status).toBe(503);
    expect(draining.headers.get('content-type')).toBe('application/problem+json');
    expect(await draining.json()).toMatchObject({ status: 503, code: 'UNAVAILABLE', detail: 'not ready: draining', nodeId: 'im-9', failed: ['draining'] });
    reason = undefined;
    expect((await fetch(`${server.base}/readyz`)).status).toBe(200);
  });

  it('/livez answers 200 while the process runs, ready or not; /healthz keeps its old meaning', async () => {
    reason = 'relay';
    accepting = false;
    const live = await fetch(`${server.base}/livez`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok', nodeId: 'im-9' });
    const health = await fetch(`${server.base}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'draining', nodeId: 'im-9' });
    accepting = true;
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
  });

  it('/metrics answers the registry\'s text with its content type', async () => {
    metrics.messagesAccepted.inc({ node: 'im-9' }, 3);
    const res = await fetch(`${server.base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(metrics.registry.contentType);
    expect(await res.text()).toContain('parley_messages_accepted_total{node="im-9"} 3');
  });

  it('answers 404 to /metrics when metrics are served elsewhere', async () => {
    const bare = await serve({ nodeId: 'im-9', accepting: () => true, readiness: async () => ({ ready: true, failed: [], reasons: [] }) });
    try {
      expect((await fetch(`${bare.base}/metrics`)).status).toBe(404);
    } finally {
      await bare.close();
    }
  });

  it('answers 404 to anything else, and to other methods', async () => {
    reason = undefined;
    expect((await fetch(`${server.base}/nope`)).status).toBe(404);
    expect((await fetch(`${server.base}/metrics`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${server.base}/readyz`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${server.base}/readyz?verbose=1`)).status).toBe(200);
  });
});

describe('RelayReadiness', () => {
  const fakeRelay = (): EventEmitter & RelayLink => new EventEmitter() as EventEmitter & RelayLink;

  it('is ready while at least one gateway stream is ready', () => {
    const relay = fakeRelay();
    const readiness = new RelayReadiness(relay);
    expect(readiness.anyReady).toBe(false);
    relay.emit('gateway:ready', '10.0.0.1:50051', 'gw-1');
    relay.emit('gateway:ready', '10.0.0.2:50051', 'gw-2');
    relay.emit('gateway:down', '10.0.0.1:50051');
    expect(readiness.anyReady).toBe(true);
    relay.emit('gateway:down', '10.0.0.2:50051');
    expect(readiness.anyReady).toBe(false);
  });

  it('waitForAny resolves true when a stream comes up, false at the deadline', async () => {
    const relay = fakeRelay();
    const readiness = new RelayReadiness(relay);
    expect(await readiness.waitForAny(20)).toBe(false);
    const waiting = readiness.waitForAny(10_000);
    relay.emit('gateway:ready', '10.0.0.1:50051', 'gw-1');
    expect(await waiting).toBe(true);
  });
});
