import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { NodeDirectory } from '@parley/domain';
import type { RelayServer } from '@parley/relay';
import type { Logger } from '@parley/util';

export interface GatewayServerDeps {
  app: Express;
  relay: RelayServer;
  directory: NodeDirectory;
  logger: Logger;
  /** Told first when the gateway stops, so /readyz turns 503 before the listeners close. */
  readiness?: { markStopping(): void };
}

export interface GatewayListenOptions {
  host: string;
  port: number;
}

/** Owns the gateway's listeners: HTTP (REST + web client), the gRPC relay, the node watch. */
export class GatewayServer {
  private server: http.Server | undefined;

  constructor(private readonly deps: GatewayServerDeps) {}

  async start(options: GatewayListenOptions): Promise<{ httpUrl: string; relayPort: number }> {
    await this.deps.directory.start();
    const { port: relayPort } = await this.deps.relay.start();
    const server = http.createServer(this.deps.app);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const httpUrl = `http://${options.host}:${port}`;
    this.deps.logger.info({ httpUrl, relayPort }, 'gateway listening');
    return { httpUrl, relayPort };
  }

  async stop(): Promise<void> {
    this.deps.readiness?.markStopping();
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await this.deps.relay.stop();
    await this.deps.directory.stop();
  }
}
