import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayRegistration, NodeRegistration } from '@parley/domain';

/** A process's /healthz and /readyz for tests: both answer `status` until told otherwise. */
export interface HealthzFixture {
  status: number;
  /**
   * When set, a non-200 answer is Parley's readiness problem naming these as
   * failed (like a node whose Redis is down: ['redis']); unset, it is plain text.
   */
  failed: string[] | undefined;
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
  const state: { status: number; failed: string[] | undefined; delayMs: number; readyzHits: number } = {
    status: 200,
    failed: undefined,
    delayMs: 0,
    readyzHits: 0,
  };
  const server = http.createServer((req, res) => {
    if (req.url === '/readyz') state.readyzHits += 1;
    const known = req.url === '/healthz' || req.url === '/readyz';
    const answer = (): void => {
      if (res.destroyed) return;
      if (known && state.status !== 200 && state.failed) {
        res.writeHead(state.status, { 'Content-Type': 'application/problem+json' });
        res.end(JSON.stringify({ type: 'about:blank', title: 'Unavailable', status: state.status, code: 'UNAVAILABLE', detail: 'not ready', failed: state.failed }));
        return;
      }
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
    get failed() {
      return state.failed;
    },
    set failed(value: string[] | undefined) {
      state.failed = value;
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
