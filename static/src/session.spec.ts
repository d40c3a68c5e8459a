import { describe, expect, it } from '@jest/globals';
import { GatewayApi, ParleyError, type AuthResult } from '@parley/client';
import { BrowserSession, forgetStoredSessions, type RenewLocks } from './session';

const AUTH: AuthResult = { user: { id: 'u1', username: 'ann', displayName: 'Ann' }, token: 'access-1', expiresAt: 9, sessionId: 's1', refreshExpiresAt: 99 };

/** A gateway answering POST /api/auth/refresh with `answer`, recording each call. */
function gateway(answer: () => Response) {
  const calls: { url: string; init?: RequestInit }[] = [];
  const fetchImpl = (async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    await new Promise((r) => setTimeout(r, 5));
    return answer();
  }) as typeof fetch;
  return { calls, api: new GatewayApi('http://gw', fetchImpl) };
}

const ok = () => new Response(JSON.stringify(AUTH), { status: 200 });
const problem = (status: number, code: string) => () => new Response(JSON.stringify({ status, code, detail: code.toLowerCase() }), { status });

describe('BrowserSession', () => {
  it('restores the session the cookie holds, asking the refresh endpoint with no token of its own', async () => {
    const { calls, api } = gateway(ok);
    await expect(new BrowserSession(api, undefined).restore()).resolves.toEqual(AUTH);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe('http://gw/api/auth/refresh');
    expect(calls[0]?.init?.method).toBe('POST');
    expect(calls[0]?.init?.body).toBe('{}');
    expect(new Headers(calls[0]?.init?.headers).get('authorization')).toBeNull();
  });

  it('reads a refused refresh (no cookie, a revoked or reused token) as "no session"', async () => {
    for (const [status, code] of [
      [401, 'UNAUTHORIZED'],
      [404, 'NOT_FOUND'],
    ] as const) {
      await expect(new BrowserSession(gateway(problem(status, code)).api, undefined).restore()).resolves.toBeUndefined();
    }
  });

  it('lets an unreachable or throttling server through as an error, so the page can say so', async () => {
    await expect(new BrowserSession(gateway(problem(503, 'UNAVAILABLE')).api, undefined).restore()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(new BrowserSession(gateway(problem(429, 'RATE_LIMITED')).api, undefined).restore()).rejects.toBeInstanceOf(ParleyError);
  });

  it('shares one renewal among callers at the same time, so a rotated cookie is never sent twice', async () => {
    const { calls, api } = gateway(ok);
    const session = new BrowserSession(api, undefined);
    const results = await Promise.all([session.renew(), session.renew(), session.renew()]);
    expect(results).toEqual([AUTH, AUTH, AUTH]);
    expect(calls).toHaveLength(1);
    await session.renew();
    expect(calls).toHaveLength(2);
  });

  it("renews under the browser's lock, so two tabs never rotate the same cookie at once", async () => {
    let inFlight = 0;
    let most = 0;
    const fetchImpl = (async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return ok();
    }) as typeof fetch;
    // A lock manager like the browser's: one holder of a name at a time, the others wait their turn.
    const queues = new Map<string, Promise<unknown>>();
    const names: string[] = [];
    const locks: RenewLocks = {
      request(name, callback) {
        names.push(name);
        const run = (queues.get(name) ?? Promise.resolve()).then(callback, callback);
        queues.set(name, run.catch(() => undefined));
        return run;
      },
    };
    const tabs = [new BrowserSession(new GatewayApi('http://gw', fetchImpl), locks), new BrowserSession(new GatewayApi('http://gw', fetchImpl), locks)];
    await Promise.all(tabs.map((t) => t.renew()));
    expect(names).toEqual(['parley.session.renew', 'parley.session.renew']);
    expect(most).toBe(1);
  });

  it('lets go of the lock when a refresh hangs (UNAVAILABLE after the deadline), so the next renewal can run', async () => {
    let answered = 0;
    // The first refresh never answers (as fetch does, it gives up only when its signal aborts); the next one answers.
    const fetchImpl = ((_url: string, init: RequestInit = {}) => {
      if (answered++ > 0) return Promise.resolve(ok());
      return new Promise<Response>((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    }) as typeof fetch;
    const queues = new Map<string, Promise<unknown>>();
    const locks: RenewLocks = {
      request(name, callback) {
        const run = (queues.get(name) ?? Promise.resolve()).then(callback, callback);
        queues.set(name, run.catch(() => undefined));
        return run;
      },
    };
    const session = new BrowserSession(new GatewayApi('http://gw', fetchImpl, 50), locks);
    await expect(session.renew()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(session.renew()).resolves.toEqual(AUTH);
  });
});

describe('forgetStoredSessions', () => {
  it('removes the token an earlier version stored, from every storage given', () => {
    const stores = [new Map([['parley.session', '{"token":"old"}'], ['other', 'kept']]), new Map([['parley.session', 'x']])];
    forgetStoredSessions(stores.map((m) => () => ({ removeItem: (key: string) => void m.delete(key) })));
    expect(stores.map((m) => [...m.keys()])).toEqual([['other'], []]);
  });

  it('carries on when storage is disabled (reading it throws, or removing from it does)', () => {
    const left = new Map([['parley.session', 'x']]);
    const unreadable = () => {
      throw new Error('SecurityError');
    };
    const failing = () => ({
      removeItem: () => {
        throw new Error('SecurityError');
      },
    });
    const working = () => ({ removeItem: (key: string) => void left.delete(key) });
    expect(() => forgetStoredSessions([unreadable, failing, working])).not.toThrow();
    expect(left.size).toBe(0);
  });
});
