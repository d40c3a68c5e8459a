import { ParleyMetrics } from './parley-metrics';
import { startMetricsServer, type MetricsServer } from './metrics-server';

describe('startMetricsServer', () => {
  const metrics = new ParleyMetrics({ defaultMetrics: false });
  let server: MetricsServer;
  let base: string;

  beforeAll(async () => {
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, metrics });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.close());

  it('answers GET /metrics with the registry text and its content type, reading live values', async () => {
    metrics.messagesAccepted.inc({ node: 'im-1' }, 2);
    const first = await fetch(`${base}/metrics`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe(metrics.registry.contentType);
    expect(await first.text()).toContain('parley_messages_accepted_total{node="im-1"} 2');
    metrics.messagesAccepted.inc({ node: 'im-1' });
    expect(await (await fetch(`${base}/metrics?x=1`)).text()).toContain('parley_messages_accepted_total{node="im-1"} 3');
  });

  it('answers 404 to other paths and methods', async () => {
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metrics/x`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(404);
  });

  it('answers 500 without details when a scrape-time reader throws, and keeps serving', async () => {
    const broken = new ParleyMetrics({ defaultMetrics: false });
    let fail = true;
    broken.observeGauge(broken.outboxDepth, () => {
      if (fail) throw new Error('secret detail');
      return [[{ node: 'im-1' }, 4]];
    });
    const other = await startMetricsServer({ host: '127.0.0.1', port: 0, metrics: broken });
    try {
      const res = await fetch(`http://127.0.0.1:${other.port}/metrics`);
      expect(res.status).toBe(500);
      expect(await res.text()).not.toContain('secret detail');
      fail = false;
      expect(await (await fetch(`http://127.0.0.1:${other.port}/metrics`)).text()).toContain('parley_relay_outbox_depth{node="im-1"} 4');
    } finally {
      await other.close();
    }
  });

  it('refuses to start on a port already taken, and close() frees its port', async () => {
    await expect(startMetricsServer({ host: '127.0.0.1', port: server.port, metrics })).rejects.toThrow(/EADDRINUSE/);
    const temporary = await startMetricsServer({ host: '127.0.0.1', port: 0, metrics });
    await temporary.close();
    const again = await startMetricsServer({ host: '127.0.0.1', port: temporary.port, metrics });
    await again.close();
  });
});
