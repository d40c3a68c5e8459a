import { ParleyMetrics } from './parley-metrics';
import http from 'node:http';
import { ScrapeGate, startMetricsServer, type MetricsServer } from './metrics-server';

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

  it('serializes the registry at most once a second for a flood of a thousand parallel requests, each answered in full', async () => {
    const flooded = new ParleyMetrics({ defaultMetrics: false });
    let collects = 0;
    // The reader's own call count is the series' value: what each scrape shows is how many serializations ran.
    flooded.observeGauge(flooded.outboxDepth, () => [[{ node: 'im-1' }, ++collects]]);
    const own = await startMetricsServer({ host: '127.0.0.1', port: 0, metrics: flooded });
    const agent = new http.Agent({ maxSockets: Infinity });
    const get = () =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: own.port, path: '/metrics', agent }, (res) => {
            let body = '';
            res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          })
          .on('error', reject);
      });
    try {
      const startedAt = performance.now();
      const answers = await Promise.all(Array.from({ length: 1_000 }, get));
      const seconds = (performance.now() - startedAt) / 1000;
      expect(answers.every((a) => a.status === 200 && a.body.includes('# TYPE parley_relay_outbox_depth gauge'))).toBe(true);
      const seen = new Set(answers.map((a) => /parley_relay_outbox_depth\{node="im-1"\} (\d+)/.exec(a.body)?.[1]));
      // One at once, then one per second while the flood lasts (a loaded machine takes longer to accept a thousand connections).
      expect(collects).toBeLessThanOrEqual(Math.min(10, 1 + Math.ceil(seconds)));
      expect([...seen].every((v) => v !== undefined && Number(v) <= collects)).toBe(true);
      expect(seen.size).toBe(collects);
    } finally {
      agent.destroy();
      await own.close();
    }
  });

  it('never answers a request with a serialization started before it: a request during the interval waits for the next', async () => {
    let now = 0;
    let serializations = 0;
    let value = 0;
    const gate = new ScrapeGate({ text: async () => ({ contentType: 'text/plain', body: `${(serializations++, value)}` }) }, 1_000, { now: () => now });
    expect((await gate.text()).body).toBe('0');
    value = 1;
    now = 10;
    const waiting = Promise.all([gate.text(), gate.text(), gate.text()]);
    now = 1_000; // the timer fires after the interval's rest; the clock says it passed
    expect((await waiting).map((t) => t.body)).toEqual(['1', '1', '1']);
    expect(serializations).toBe(2);
  });

  it('refuses to start on a port already taken, and close() frees its port', async () => {
    await expect(startMetricsServer({ host: '127.0.0.1', port: server.port, metrics })).rejects.toThrow(/EADDRINUSE/);
    const temporary = await startMetricsServer({ host: '127.0.0.1', port: 0, metrics });
    await temporary.close();
    const again = await startMetricsServer({ host: '127.0.0.1', port: temporary.port, metrics });
    await again.close();
  });
});
