import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ParleyError } from '@parley/protocol';
import { GatewayApi } from './gateway-api';

describe('GatewayApi session calls', () => {
  function api(status = 204, body = '') {
    const calls: { method: string; url: string; auth: string | null; body: unknown; credentials: RequestCredentials | undefined }[] = [];
    const fetchImpl = (async (url: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      calls.push({
        method: String(init.method),
        url,
        auth: headers.get('authorization'),
        body: init.body === undefined ? undefined : JSON.parse(String(init.body)),
        credentials: init.credentials,
      });
      return new Response(body || null, { status });
    }) as typeof fetch;
    return { api: new GatewayApi('http://gw', fetchImpl), calls };
  }

  it('calls each endpoint with its method, path, bearer token and body', async () => {
    const { api: gw, calls } = api();
    await gw.logout('t');
    await gw.logoutAll('t');
    await gw.changePassword('t', 'old-pass', 'new-pass');
    await gw.deleteAccount('t', 'pass');
    expect(calls.map(({ credentials: _c, ...call }) => call)).toEqual([
      { method: 'POST', url: 'http://gw/api/auth/logout', auth: 'Bearer t', body: undefined },
      { method: 'POST', url: 'http://gw/api/auth/logout-all', auth: 'Bearer t', body: undefined },
      { method: 'POST', url: 'http://gw/api/me/password', auth: 'Bearer t', body: { currentPassword: 'old-pass', newPassword: 'new-pass' } },
      { method: 'DELETE', url: 'http://gw/api/me', auth: 'Bearer t', body: { password: 'pass' } },
    ]);
  });

  it('refreshes with the refresh token in the body, or with none (the browser cookie), never with the access token', async () => {
    const { api: gw, calls } = api(200, JSON.stringify({ token: 'n', expiresAt: 1 }));
    await expect(gw.refresh('r1')).resolves.toEqual({ token: 'n', expiresAt: 1 });
    await gw.refresh();
    expect(calls.map((c) => [c.url, c.auth, c.body, c.credentials])).toEqual([
      ['http://gw/api/auth/refresh', null, { refreshToken: 'r1' }, 'same-origin'],
      ['http://gw/api/auth/refresh', null, {}, 'same-origin'],
    ]);
  });

  it('turns a refused refresh into a ParleyError with its code', async () => {
    const { api: gw } = api(401, JSON.stringify({ type: 'about:blank', title: 'x', status: 401, code: 'UNAUTHORIZED', detail: 'reused' }));
    const err = await gw.refresh('stolen').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParleyError);
    expect(err).toMatchObject({ code: 'UNAUTHORIZED', message: 'reused' });
  });
});

describe('GatewayApi against a gateway that does not answer', () => {
  let server: http.Server;
  let base: string;
  const held: http.ServerResponse[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      held.push(res);
      // Headers and no body for /slow-body; nothing at all otherwise.
      if (req.url === '/api/slow-body') res.writeHead(200, { 'content-type': 'application/json' }).write('{"tok');
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives up on a refresh that hangs, as UNAVAILABLE (retried like an unreachable gateway), instead of waiting forever', async () => {
    const gw = new GatewayApi(base, globalThis.fetch.bind(globalThis), 200);
    const started = Date.now();
    const err = await gw.refresh().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParleyError);
    expect((err as ParleyError).code).toBe('UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('gives up on an answer whose body never ends, as UNAVAILABLE', async () => {
    const gw = new GatewayApi(base, globalThis.fetch.bind(globalThis), 200);
    await expect(gw.request('GET', '/api/slow-body')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('passes every request a deadline by default', async () => {
    const signals: (AbortSignal | null | undefined)[] = [];
    const gw = new GatewayApi('http://gw', (async (_url: string, init: RequestInit = {}) => {
      signals.push(init.signal);
      return new Response(null, { status: 204 });
    }) as typeof fetch);
    await gw.logout('t');
    await gw.refresh();
    expect(signals).toHaveLength(2);
    for (const signal of signals) expect(signal).toBeInstanceOf(AbortSignal);
  });
});
