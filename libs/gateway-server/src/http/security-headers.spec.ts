import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { PublicEntry, type NodeDirectory, type NodeInstance } from '@parley/domain';
import { securityHeaders } from './security-headers';

const nodes: readonly NodeInstance[] = [{ nodeId: 'im-1', url: 'http://10.0.0.5:9101' }];
const directory = { healthyNodes: () => nodes } as unknown as NodeDirectory;

/** The connect-src of an app with these security headers. */
async function connectSrcOf(entry?: PublicEntry): Promise<string> {
  const app = express();
  app.use(securityHeaders(directory, entry));
  app.get('/', (_req, res) => res.send('ok'));
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    return /connect-src ([^;]*)/.exec(res.headers.get('content-security-policy') ?? '')?.[1]?.trim() ?? '';
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('securityHeaders connect-src', () => {
  it('without a public entry, lists the nodes the gateway hands out', async () => {
    expect(await connectSrcOf()).toBe("'self' http://10.0.0.5:9101 ws://10.0.0.5:9101");
  });

  it("with a public entry, lists the entry (sockets go there) and not the nodes' own addresses", async () => {
    expect(await connectSrcOf(PublicEntry.parse('https://chat.example.com'))).toBe("'self' https://chat.example.com wss://chat.example.com");
  });
});
