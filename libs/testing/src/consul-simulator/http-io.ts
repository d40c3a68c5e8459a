import type { IncomingMessage, ServerResponse } from 'node:http';

/** Request and response plumbing shared by the routes: errors with a status, JSON in and out. */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function requireMethod(actual: string, expected: string): void {
  if (actual !== expected) throw new HttpError(405, `method ${actual} not allowed`);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  withBody = true,
): void {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'X-Consul-KnownLeader': 'true',
    'X-Consul-LastContact': '0',
    ...headers,
  });
  res.end(withBody ? JSON.stringify(body) : undefined);
}

export function sendText(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(message);
}

export function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text.trim()) return reject(new HttpError(400, 'Request decode failed: EOF'));
      try {
        resolve(JSON.parse(text));
      } catch (err) {
        reject(new HttpError(400, `Request decode failed: ${(err as Error).message}`));
      }
    });
  });
}
