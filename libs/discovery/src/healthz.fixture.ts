import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayRegistration, NodeRegistration } from '@parley/domain';

/** A process's /healthz and /readyz for tests: both answer `status` until told otherwise. */
export interface HealthzFixture {
  status: number;
  /** How long each answer waits (a hanging process). @default 0 */
  delayMs: number;
  /** GET /readyz requests received. */
  readonly readyzHits: number;
  registration(nodeId: string): NodeRegistration;
  /** A gateway whose relay "listens" on this fixture's port and whose /readyz is this fixture. */
  gatewayRegistration(gatewayId: string): GatewayRegistration;
  close(): Promise<void>;
}

export async function startHealthz(host = '127.0.0.1', advertisedHost = host): Promise<HealthzFixture> {
  const state = { status: 200, delayMs: 0, readyzHits: 0 };
  const server = http.createServer((req, res) => {
    if (req.url === '/readyz') state.readyzHits += 1;
    const known = req.url === '/healthz' || req.url === '/readyz';
    const answer = (): void => {
      if (res.destroyed) return;
      res.writeHead(known ? state.status : 404, { 'Content-Type': 'text/plain' });
      res.end(state.status === 200 ? 'ok' : 'unhealthy');
    };
    if (state.delayMs > 0) setTimeout(answer, state.delayMs).unref(); // a closed fixture does not hold the process
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    get status() {
      return state.status;
    },
    set status(value: number) {
      state.status = value;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(value: number) {
      state.delayMs = value;
    },
    get readyzHits() {
      return state.readyzHits;
    },
    registration: (nodeId) => ({
      nodeId,
      url: `http://${advertisedHost}:${port}`,
      address: advertisedHost,
      port,
      healthUrl: `http://${advertisedHost}:${port}/healthz`,
    }),
    gatewayRegistration: (gatewayId) => ({
      gatewayId,
      relayAddress: `${advertisedHost}:${port}`,
      address: advertisedHost,
      port,
      healthUrl: `http://${advertisedHost}:${port}/readyz`,
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
