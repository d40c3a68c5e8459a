import { createServer } from 'node:net';

/**
 * Asks the kernel for an unused TCP port on 127.0.0.1. The port is released
 * before returning, so a racing process could take it; callers that start a
 * server on it should retry on EADDRINUSE when that matters.
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}
