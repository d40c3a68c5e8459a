import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NodeRegistration } from '@parley/domain';

/** A node's /healthz for tests: answers `status` until told otherwise. */
export interface HealthzFixture {
  status: number;
  registration(nodeId: string): NodeRegistration;
  close(): Promise<void>;
}

export async function startHealthz(host = '127.0.0.1', advertisedHost = host): Promise<HealthzFixture> {
  const state = { status: 200 };
  const server = http.createServer((req, res) => {
    res.writeHead(req.url === '/healthz' ? state.status : 404, { 'Content-Type': 'text/plain' });
    res.end(state.status === 200 ? 'ok' : 'unhealthy');
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
    registration: (nodeId) => ({
      nodeId,
      url: `http://${advertisedHost}:${port}`,
      address: advertisedHost,
      port,
      healthUrl: `http://${advertisedHost}:${port}/healthz`,
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
