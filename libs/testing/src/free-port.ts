import fs from 'node:fs';
import { createServer } from 'node:net';

/** Where Linux picks the source ports of outgoing connections (and port 0 listeners). */
function ephemeralRange(): { low: number; high: number } {
  try {
    const [low, high] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && low > 0 && high >= low) return { low, high };
  } catch {
    // not Linux: the IANA dynamic range
  }
  return { low: 49152, high: 65535 };
}

/** The ports handed out: a range below the ephemeral one, and above the common services' own. */
const PICK_LOW = 20_000;

/** Whether a server can listen on host:port right now. */
function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A port the kernel picks (port 0): the fallback when the range below the ephemeral one is too small or full. */
function kernelPort(host: string): Promise<number> {
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

/**
 * An unused TCP port on `host`, for a process the test starts next. The port
 * is free when returned, not reserved, so it is picked at random BELOW the
 * ephemeral range: a port the kernel hands out by itself (port 0) is also
 * the next source port of someone's outgoing connection, and a busy suite
 * (hundreds of sockets opening) took such a port between the check and the
 * server's listen (EADDRINUSE at a gateway's start). Down here only another
 * test's random pick can collide, and that rarely.
 */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  const high = ephemeralRange().low - 1;
  if (high - PICK_LOW >= 1_000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = PICK_LOW + Math.floor(Math.random() * (high - PICK_LOW + 1));
      if (await canListen(host, port)) return port;
    }
  }
  return kernelPort(host);
}
