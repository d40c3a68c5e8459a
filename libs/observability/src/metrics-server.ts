import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ParleyMetrics } from './parley-metrics';

export interface MetricsServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  metrics: ParleyMetrics;
}

export interface MetricsServer {
  /** The port it listens on (the chosen one when 0 was asked). */
  port: number;
  close(): Promise<void>;
}

/** At most one serialization of a registry per this long, however many requests ask (a flood of /metrics on a public port). */
export const METRICS_MIN_INTERVAL_MS = 1_000;

type MetricsText = Awaited<ReturnType<ParleyMetrics['text']>>;

/**
 * Serializes a registry at most once per `intervalMs`, and never answers with
 * a serialization started before the request came: a request while one runs,
 * or within the interval of the last one, waits for the next, which every
 * waiting request shares. So a flood costs one serialization per interval,
 * and a scrape still sees everything counted before it (only later, by up to
 * the interval; Prometheus scrapes far less often).
 */
export class ScrapeGate {
  private lastStart = Number.NEGATIVE_INFINITY;
  private running: Promise<MetricsText> | undefined;
  private queued: Promise<MetricsText> | undefined;

  constructor(
    private readonly metrics: Pick<ParleyMetrics, 'text'>,
    private readonly intervalMs = METRICS_MIN_INTERVAL_MS,
    private readonly clock: { now(): number } = performance,
  ) {}

  text(): Promise<MetricsText> {
    if (this.queued) return this.queued;
    if (!this.running && this.clock.now() - this.lastStart >= this.intervalMs) return this.start();
    const before = this.running;
    this.queued = (async () => {
      await before?.catch(() => undefined);
      const wait = this.lastStart + this.intervalMs - this.clock.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait).unref());
      this.queued = undefined;
      return this.start();
    })();
    return this.queued;
  }

  private start(): Promise<MetricsText> {
    this.lastStart = this.clock.now();
    const serialized = this.metrics.text().finally(() => {
      if (this.running === serialized) this.running = undefined;
    });
    this.running = serialized;
    return serialized;
  }
}

/** One gate per registry: the main port's /metrics and a listener of its own share it. */
const gates = new WeakMap<ParleyMetrics, ScrapeGate>();

/**
 * Answers GET /metrics with the registry's text (its own content type), or
 * 500 when a reader threw: the body of a process's `/metrics`, shared by the
 * separate listener and the processes' own HTTP servers. Serializations go
 * through the registry's ScrapeGate (at most one per second).
 */
export async function writeMetrics(res: http.ServerResponse, metrics: ParleyMetrics): Promise<void> {
  let gate = gates.get(metrics);
  if (!gate) gates.set(metrics, (gate = new ScrapeGate(metrics)));
  try {
    const { contentType, body } = await gate.text();
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
    res.end(body);
  } catch {
    // A reader that threw: say so without its details (the scrape shows as failed).
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('metrics unavailable\n');
  }
}

/**
 * A listener of its own for `/metrics` (PARLEY_METRICS_PORT), so scrapes can
 * be kept off the public port: bind it to an address only Prometheus reaches.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/metrics') {
      void writeMetrics(res, options.metrics);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
