import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express, { type ErrorRequestHandler } from 'express';
import pino from 'pino';
import { waitFor } from '@parley/testing';
import { REQUEST_ID_PATTERN, accessLog, acceptedRequestId } from './access-log';

interface Line {
  level: number;
  msg: string;
  requestId?: string;
  [key: string]: unknown;
}

/** Every line the logger wrote, parsed; the raw text too, to search for what must never be there. */
class Capture extends Writable {
  readonly raw: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.raw.push(chunk.toString('utf8'));
    done();
  }
  lines(): Line[] {
    return this.raw.flatMap((text) => text.split('\n').filter(Boolean)).map((text) => JSON.parse(text) as Line);
  }
  text(): string {
    return this.raw.join('');
  }
}

const SECRETS = ['Bearer eyJhbGciOi.secret-access-token', 'parley_refresh=refresh-cookie-secret', 'hunter2-password-in-body', 'query-secret-term'];

async function serve(app: express.Express): Promise<{ base: string; close(): Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('access log and request ids', () => {
  const capture = new Capture();
  const logger = pino({ level: 'debug' }, capture);
  let ids = 0;
  let server: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    const app = express();
    app.use(accessLog({ logger, newId: () => `gen-${++ids}` }));
    app.use(express.json());
    app.post('/api/auth/login', (req, res) => {
      req.log.info({ step: 'checked' }, 'handler line');
      res.cookie('parley_refresh', 'refresh-cookie-secret', { httpOnly: true }).json({ token: 'eyJhbGciOi.secret-access-token' });
    });
    app.get('/livez', (_req, res) => res.json({ status: 'ok' }));
    app.get('/readyz', (_req, res) => res.status(503).json({ status: 'not ready' }));
    app.get('/fails', () => {
      throw new Error('broken handler');
    });
    app.use((_req, res) => res.status(404).json({ code: 'NOT_FOUND' }));
    const onError: ErrorRequestHandler = (err: Error, req, res, _next) => {
      req.log.error({ err }, 'request failed');
      res.status(500).json({ code: 'INTERNAL' });
    };
    app.use(onError);
    server = await serve(app);
  });
  afterAll(() => server.close());

  const linesOf = (requestId: string) => capture.lines().filter((l) => l.requestId === requestId);
  // The access line is written when the response ends, not when fetch resolves: look for it every few ms.
  const accessLineOf = (requestId: string) =>
    waitFor(`the access line of ${requestId}`, () => linesOf(requestId).find((l) => 'responseTime' in l), { timeoutMs: 5_000, intervalMs: 5 });

  it('keeps a safe X-Request-Id, echoes it, and puts it on every line of that request', async () => {
    const res = await fetch(`${server.base}/api/auth/login`, {
      method: 'POST',
      headers: { 'x-request-id': 'edge-7f3a.b_9', 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ann', password: 'x' }),
    });
    expect(res.headers.get('x-request-id')).toBe('edge-7f3a.b_9');
    const access = await accessLineOf('edge-7f3a.b_9');
    expect(linesOf('edge-7f3a.b_9').map((l) => l.msg)).toEqual(['handler line', access.msg]);
    expect(access).toMatchObject({ level: 30, req: { method: 'POST', path: '/api/auth/login', ip: '127.0.0.1' }, res: { statusCode: 200 } });
  });

  it('replaces an id that is too long or holds anything but [A-Za-z0-9._-], and makes one when there is none', async () => {
    for (const sent of ['x'.repeat(65), 'has space', 'quote"d', 'semi;colon', '../../etc', '', undefined]) {
      const res = await fetch(`${server.base}/livez`, { headers: sent === undefined ? {} : { 'x-request-id': sent } });
      const echoed = res.headers.get('x-request-id') ?? '';
      expect({ sent, echoed: echoed.startsWith('gen-') }).toEqual({ sent, echoed: true });
      await accessLineOf(echoed);
    }
    expect(acceptedRequestId('x'.repeat(64))).toBe('x'.repeat(64));
    expect(acceptedRequestId(['a', 'b'])).toBeUndefined();
    expect(REQUEST_ID_PATTERN.test('a\nb')).toBe(false);
  });

  it('never writes the Authorization header, cookies, bodies, tokens or query strings', async () => {
    const res = await fetch(`${server.base}/api/auth/login?q=query-secret-term`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer eyJhbGciOi.secret-access-token',
        cookie: 'parley_refresh=refresh-cookie-secret',
        'content-type': 'application/json',
        'x-request-id': 'secrets-check',
      },
      body: JSON.stringify({ username: 'ann', password: 'hunter2-password-in-body' }),
    });
    expect(res.status).toBe(200);
    const access = await accessLineOf('secrets-check');
    expect(access.req).toEqual({ method: 'POST', path: '/api/auth/login', ip: '127.0.0.1' });
    const text = capture.text();
    for (const secret of [...SECRETS, 'secret-access-token', 'refresh-cookie-secret']) expect({ secret, logged: text.includes(secret) }).toEqual({ secret, logged: false });
    expect(text).not.toMatch(/authorization|cookie|set-cookie/i);
  });

  it('logs probes at debug whatever they answer, 4xx at warn without a stack, 5xx at error, the rest at info', async () => {
    const call = async (path: string, id: string) => {
      await fetch(`${server.base}${path}`, { headers: { 'x-request-id': id } });
      return accessLineOf(id);
    };
    expect((await call('/livez', 'probe-ok')).level).toBe(20);
    expect((await call('/readyz', 'probe-503')).level).toBe(20);
    const missing = await call('/no/such/page?x=1', 'not-found');
    expect(missing).toMatchObject({ level: 40, res: { statusCode: 404 }, req: { path: '/no/such/page' } });
    expect(JSON.stringify(missing)).not.toMatch(/stack/);
    const failed = await call('/fails', 'server-error');
    expect(failed).toMatchObject({ level: 50, res: { statusCode: 500 } });
    // The error handler's own line (through req.log) carries the real error and the same id; the access line adds no made-up one.
    expect(failed.err).toBeUndefined();
    expect(linesOf('server-error').find((l) => l.msg === 'request failed')).toMatchObject({ level: 50, err: { message: 'broken handler' } });
  });

  it('cuts a very long path in the access line', async () => {
    await fetch(`${server.base}/${'a'.repeat(5_000)}`, { headers: { 'x-request-id': 'long-path' } });
    const access = await accessLineOf('long-path');
    expect(String((access.req as { path: string }).path).length).toBeLessThanOrEqual(260);
  });
});

describe('request ids with a logger that is not pino (test stubs)', () => {
  it('still gives each request an id and echoes it, writing no access line', async () => {
    const calls: string[] = [];
    const stub = { debug: () => calls.push('debug'), info: () => calls.push('info'), warn: () => calls.push('warn'), error: () => calls.push('error'), child: () => stub };
    const app = express();
    app.use(accessLog({ logger: stub }));
    app.get('/x', (req, res) => res.json({ id: req.id }));
    const server = await serve(app);
    try {
      const kept = await fetch(`${server.base}/x`, { headers: { 'x-request-id': 'abc-1' } });
      expect(kept.headers.get('x-request-id')).toBe('abc-1');
      expect(await kept.json()).toEqual({ id: 'abc-1' });
      const made = await fetch(`${server.base}/x`);
      expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(calls).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
