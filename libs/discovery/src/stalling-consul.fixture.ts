import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stand-in received, and whether the client has since hung up on it. */
export interface StalledRequest {
  method: string;
  path: string;
  /** True once the client closed the connection (a cancelled or timed-out call). */
  readonly clientGone: boolean;
}

/**
 * A Consul agent stand-in that answers what `answer` says, or never answers
 * (`'stall'`): for a Consul that hangs, which the simulator does not do.
 */
export interface StallingConsul {
  url: string;
  requests: StalledRequest[];
  answer: (method: string, path: string) => { status: number; body?: string } | 'stall';
  close(): Promise<void>;
}

export async function startStallingConsul(): Promise<StallingConsul> {
  const server = http.createServer((req, res) => {
    const entry = { method: req.method ?? 'GET', path: req.url ?? '/', clientGone: false };
    consul.requests.push(entry);
    res.on('close', () => {
      if (!res.writableEnded) entry.clientGone = true;
    });
    const answer = consul.answer(entry.method, entry.path);
    if (answer === 'stall') return;
    res.writeHead(answer.status, { 'Content-Type': 'application/json' });
    res.end(answer.body ?? 'null');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const consul: StallingConsul = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: [],
    answer: () => 'stall',
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return consul;
}
