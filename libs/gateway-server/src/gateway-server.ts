import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { NodeDirectory } from '@parley/domain';
import { startMetricsServer, type MetricsServer, type ParleyMetrics } from '@parley/observability';
import type { RelayServer } from '@parley/relay';
import type { Logger } from '@parley/util';

export interface GatewayServerDeps {
  app: Express;
  relay: RelayServer;
  directory: NodeDirectory;
  logger: Logger;
  /** Asked once at start (so parley_ready has an answer before anything asks /readyz), and told first when the gateway stops, so /readyz turns 503 before the listeners close. */
  readiness?: { markStopping(): void; answer(): Promise<unknown> };
  /** With metricsPort: served on a listener of its own, beside the HTTP one. */
  metrics?: ParleyMetrics;
  /** PARLEY_METRICS_PORT (0: a free one). Unset: no listener of its own. */
  metricsPort?: number;
  /** Stops the gateway's scrape-time readers, last on stop: a stopped gateway reports nothing more (embedded mode keeps the registry). */
  stopMetrics?: () => void;
  /** Checks of the setup once the gateway listens (they only warn); a failure is logged, never fatal. */
  afterStart?: () => Promise<unknown>;
  /** Periodic work (the upload sweep): started once listening, stopped first on stop. */
  background?: readonly { start(): void; stop(): void }[];
}

export interface GatewayListenOptions {
  host: string;
  port: number;
}

/** Owns the gateway's listeners: HTTP (REST + web client), the gRPC relay, the node watch. */
export class GatewayServer {
  private server: http.Server | undefined;
  private metricsServer: MetricsServer | undefined;

  constructor(private readonly deps: GatewayServerDeps) {}

  async start(options: GatewayListenOptions): Promise<{ httpUrl: string; relayPort: number; metricsPort?: number }> {
    await this.deps.directory.start();
    const { port: relayPort } = await this.deps.relay.start();
    const server = http.createServer(this.deps.app);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    // The relay listens now: parley_ready reads this answer until the next check.
    await this.deps.readiness?.answer();
    const httpUrl = `http://${options.host}:${port}`;
    const { metrics, metricsPort: askedMetricsPort } = this.deps;
    if (metrics && askedMetricsPort !== undefined) this.metricsServer = await startMetricsServer({ host: options.host, port: askedMetricsPort, metrics });
    const metricsPort = this.metricsServer?.port;
    this.deps.logger.info({ httpUrl, relayPort, metricsPort }, 'gateway listening');
    await this.deps.afterStart?.().catch((err: unknown) => this.deps.logger.warn({ err }, 'a start-up check failed'));
    for (const task of this.deps.background ?? []) task.start();
    return { httpUrl, relayPort, ...(metricsPort === undefined ? {} : { metricsPort }) };
  }

  async stop(): Promise<void> {
    this.deps.readiness?.markStopping();
    for (const task of this.deps.background ?? []) task.stop();
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await this.deps.relay.stop();
    await this.deps.directory.stop();
    // Last: scrapes see the stopping gateway (parley_ready 0) until it is gone.
    const metricsServer = this.metricsServer;
    this.metricsServer = undefined;
    await metricsServer?.close();
    this.deps.stopMetrics?.();
  }
}
