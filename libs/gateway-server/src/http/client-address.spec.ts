import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { ClientInfo } from '@parley/domain';
import { ParleyError } from '@parley/protocol';
import { createHttpApp, type HttpAppDeps } from './http-app';

/** Starts an app whose login records the client address the limits would key on. */
async function appSeeing(trustProxy: HttpAppDeps['trustProxy']): Promise<{ base: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const app = createHttpApp({
    accounts: {
      login: (_body: unknown, client: ClientInfo) => {
        seen.push(client.ip);
        return Promise.reject(new ParleyError('INVALID_CREDENTIALS', 'wrong username or password'));
      },
    } as unknown as HttpAppDeps['accounts'],
    sessions: {} as HttpAppDeps['sessions'],
    assigner: {} as HttpAppDeps['assigner'],
    directory: { healthyNodes: () => [] } as unknown as HttpAppDeps['directory'],
    logger: { warn: () => undefined, error: () => undefined, info: () => undefined, debug: () => undefined } as unknown as HttpAppDeps['logger'],
    trustProxy,
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const loginWithForwardedFor = (base: string, forwardedFor: string) =>
  fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ username: 'victim', password: 'a-guess' }),
  });

describe('the client address login and registration limits key on', () => {
  it('ignores X-Forwarded-For by default: a client cannot name a fresh address to escape its limits', async () => {
    const app = await appSeeing(undefined);
    try {
      expect((await loginWithForwardedFor(app.base, '203.0.113.99')).status).toBe(401);
      expect(app.seen).toEqual([expect.stringMatching(/127\.0\.0\.1$/)]);
    } finally {
      await app.close();
    }
  });

  it('believes X-Forwarded-For only from a trusted proxy (PARLEY_TRUST_PROXY)', async () => {
    const trusted = await appSeeing('loopback');
    const untrusted = await appSeeing('10.0.0.0/8');
    try {
      await loginWithForwardedFor(trusted.base, '203.0.113.99');
      // A client that sends its own X-Forwarded-For only prepends to it: the address is the one the proxy appended.
      await loginWithForwardedFor(trusted.base, '198.51.100.1, 203.0.113.7');
      expect(trusted.seen).toEqual(['203.0.113.99', '203.0.113.7']);
      await loginWithForwardedFor(untrusted.base, '203.0.113.99');
      expect(untrusted.seen).toEqual([expect.stringMatching(/127\.0\.0\.1$/)]);
    } finally {
      await Promise.all([trusted.close(), untrusted.close()]);
    }
  });
});
