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

/**
 * Answers GET /metrics with the registry's text (its own content type) and
 * anything else with 404: the body of a process's `/metrics`, shared by the
 * separate listener and the processes' own HTTP servers.
 */
export async function writeMetrics(res: http.ServerResponse, metrics: ParleyMetrics): Promise<void> {
  try {
    const { contentType, body } = await metrics.text();
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
