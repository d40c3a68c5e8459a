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
