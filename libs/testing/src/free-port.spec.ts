import fs from 'node:fs';
import { createServer } from 'node:net';
import { findFreePort } from './free-port';

describe('findFreePort', () => {
  it('hands out a port below the ephemeral range that a server can listen on', async () => {
    const port = await findFreePort();
    const rangeFile = '/proc/sys/net/ipv4/ip_local_port_range';
    if (fs.existsSync(rangeFile)) {
      const low = Number(fs.readFileSync(rangeFile, 'utf8').trim().split(/\s+/)[0]);
      expect(port).toBeLessThan(low);
    }
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});
