import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import { BlockingIndex } from './blocking-index';
import { Catalog } from './catalog';
import { ConsulHttpApi } from './routes';
import type { ConsulSimulator, ConsulSimulatorOptions, SimulatedRequest, SimulatedService } from './types';

export async function startConsulSimulator(options: ConsulSimulatorOptions = {}): Promise<ConsulSimulator> {
  const sim = new Simulator(options);
  await sim.listen(options.port ?? 0);
  return sim;
}

/** Wires the catalog, the index and the HTTP API to a listener, and simulates outages of that listener. */
class Simulator implements ConsulSimulator {
  readonly host: string;
  port = 0;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly index: BlockingIndex;
  private readonly catalog: Catalog;
  private readonly api: ConsulHttpApi;
  private readonly outage: 'refuse' | 'no-leader';
  private unavailable = false;
  private stopped = false;

  constructor(options: ConsulSimulatorOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.outage = options.outage ?? 'refuse';
    this.index = new BlockingIndex(Math.max(1, options.initialIndex ?? 10));
    this.catalog = new Catalog(this.index, {
      minCheckIntervalMs: options.minCheckIntervalMs ?? 1_000,
      staggerChecks: options.staggerChecks ?? true,
      reapIntervalMs: options.reapIntervalMs ?? 30_000,
      minDeregisterCriticalMs: options.minDeregisterCriticalMs ?? 60_000,
    });
    this.api = new ConsulHttpApi({
      catalog: this.catalog,
      index: this.index,
      node: { id: randomUUID(), name: options.nodeName ?? 'parley-consul-sim', datacenter: options.datacenter ?? 'dc1' },
      aclToken: options.aclToken,
      unavailable: () => this.unavailable,
    });
    this.server = http.createServer((req, res) => this.api.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        if (address && typeof address === 'object') this.port = address.port;
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.catalog.stop();
    await this.closeListener();
  }

  async setUnavailable(on: boolean): Promise<void> {
    if (this.stopped || on === this.unavailable) return;
    this.unavailable = on;
    if (this.outage === 'no-leader') {
      // Blocking queries in flight fail as the agent loses its servers.
      if (on) this.destroySockets();
      return;
    }
    if (on) await this.closeListener();
    else await this.listen(this.port);
  }

  services(): SimulatedService[] {
    return this.catalog.snapshot();
  }

  requests(): readonly SimulatedRequest[] {
    return this.api.requests();
  }

  currentIndex(): number {
    return this.index.current();
  }

  forgetAll(): void {
    this.catalog.forgetAll();
  }

  resetIndex(value = 1): void {
    this.index.reset(value);
  }

  private closeListener(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.destroySockets();
    });
  }

  private destroySockets(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}
