import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { ClientInfo } from '@parley/domain';
import { ParleyError } from '@parley/protocol';
import { createHttpApp, type HttpAppDeps } from './http-app';
import { testGatewayMetrics } from '../testing/gateway-metrics';

/** Starts an app whose login records the client address the limits would key on. */
async function appSeeing(trustProxy: HttpAppDeps['trustProxy'], ipv6PrefixBits?: number): Promise<{ base: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const app = createHttpApp({
    ...testGatewayMetrics(),
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
    ipv6PrefixBits,
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

  it('counts every address of one IPv6 /64 as one client, and an IPv4-mapped address as its IPv4', async () => {
    const app = await appSeeing('loopback');
    const wide = await appSeeing('loopback', 48);
    try {
      await loginWithForwardedFor(app.base, '2001:db8:1:2::1');
      await loginWithForwardedFor(app.base, '2001:db8:1:2:abcd::99');
      await loginWithForwardedFor(app.base, '::ffff:203.0.113.7');
      expect(app.seen).toEqual(['2001:db8:1:2:0:0:0:0/64', '2001:db8:1:2:0:0:0:0/64', '203.0.113.7']);
      await loginWithForwardedFor(wide.base, '2001:db8:1:ffff::1');
      expect(wide.seen).toEqual(['2001:db8:1:0:0:0:0:0/48']);
    } finally {
      await Promise.all([app.close(), wide.close()]);
    }
  });

  it('refuses to trust every proxy (true): the left-most X-Forwarded-For entry is the client\'s own word', async () => {
    await expect(appSeeing(true as unknown as HttpAppDeps['trustProxy'])).rejects.toThrow(/never true/);
  });
});
