import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { io as connect } from 'socket.io-client';
import { silentLogger, type Logger } from '@parley/util';
import { startTestSocketServer, type TestSocketServer } from '../testing/socket-server';
import { originGate, parseWebOrigins, servedWebOrigins } from './origin-check';

describe('parseWebOrigins', () => {
  it('writes origins the way browsers send them', () => {
    expect(parseWebOrigins(['HTTPS://Chat.Example.com', 'http://localhost:8080/', 'https://x.example:443'])).toEqual([
      'https://chat.example.com',
      'http://localhost:8080',
      'https://x.example',
    ]);
  });

  it.each(['chat.example.com', 'ftp://x.example', 'https://x.example/app', 'https://x.example?a=1', 'https://u:p@x.example', '*'])(
    'refuses %s, so a node never runs with an allow-list it does not apply',
    (value) => expect(() => parseWebOrigins([value])).toThrow(/allowed origin/),
  );
});

describe('servedWebOrigins', () => {
  it('names a loopback or wildcard gateway both ways, another host as given', () => {
    expect(servedWebOrigins('127.0.0.1', 8080)).toEqual(['http://localhost:8080', 'http://127.0.0.1:8080']);
    expect(servedWebOrigins('0.0.0.0', 9000)).toEqual(['http://localhost:9000', 'http://127.0.0.1:9000']);
    expect(servedWebOrigins('chat.lan', 8080)).toEqual(['http://chat.lan:8080']);
  });
});

describe('originGate on a Socket.IO server', () => {
  const allowed = 'http://app.example:8080';
  const warnings: unknown[] = [];
  const logger: Logger = { ...silentLogger, warn: (obj) => void warnings.push(obj) };
  let server: TestSocketServer;
  let url: string;
  let refusals = 0;

  beforeAll(async () => {
    const origins = parseWebOrigins([allowed]);
    server = await startTestSocketServer(() => undefined, { cors: { origin: origins }, allowRequest: originGate(origins, logger, () => void refusals++) });
    url = `http://127.0.0.1:${(server.io.httpServer.address() as AddressInfo).port}`;
  });

  afterAll(() => server.close());

  /** Resolves 'connected' or the refusal's message. */
  function handshake(transport: 'websocket' | 'polling', origin?: string): Promise<string> {
    const client = connect(url, {
      transports: [transport],
      forceNew: true,
      reconnection: false,
      extraHeaders: origin === undefined ? {} : { Origin: origin },
    });
    return new Promise<string>((resolve) => {
      client.once('connect', () => resolve('connected'));
      client.once('connect_error', (err) => resolve(`refused: ${err.message}`));
    }).finally(() => client.close());
  }

  it.each(['websocket', 'polling'] as const)('refuses a foreign Origin over %s before any session exists', async (transport) => {
    const before = server.io.engine.clientsCount;
    await expect(handshake(transport, 'https://evil.example')).resolves.toMatch(/^refused/);
    await expect(handshake(transport, 'null')).resolves.toMatch(/^refused/);
    // A look-alike of the allowed origin: another port, another scheme, a suffix.
    await expect(handshake(transport, 'http://app.example:8081')).resolves.toMatch(/^refused/);
    await expect(handshake(transport, 'https://app.example:8080')).resolves.toMatch(/^refused/);
    await expect(handshake(transport, 'http://app.example:8080.evil.example')).resolves.toMatch(/^refused/);
    expect(server.io.engine.clientsCount).toBe(before);
  });

  it.each(['websocket', 'polling'] as const)('admits the configured origin and clients without one over %s', async (transport) => {
    await expect(handshake(transport, allowed)).resolves.toBe('connected');
    await expect(handshake(transport)).resolves.toBe('connected');
  });

  it('answers a refused polling handshake 403 with no CORS grant, and grants the allowed origin', async () => {
    const poll = (origin: string) =>
      new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = http.get(`${url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } }, (res) => {
          res.resume();
          resolve(res);
        });
        req.on('error', reject);
      });
    const evil = await poll('https://evil.example');
    expect(evil.statusCode).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const good = await poll(allowed);
    expect(good.statusCode).toBe(200);
    expect(good.headers['access-control-allow-origin']).toBe(allowed);
  });

  it('names each refused origin in the log once, not once per attempt, and counts every refusal', async () => {
    warnings.length = 0;
    refusals = 0;
    for (let i = 0; i < 5; i++) await handshake('websocket', 'https://spam.example');
    await handshake('websocket', allowed);
    await handshake('websocket');
    expect(warnings).toEqual([{ origin: 'https://spam.example' }]);
    expect(refusals).toBe(5);
  });
});
