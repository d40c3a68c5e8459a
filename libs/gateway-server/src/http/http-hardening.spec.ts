import type { Server } from 'node:http';
import type { NodeInstance } from '@parley/domain';
import { ParleyError } from '@parley/protocol';
import { createHttpApp, type HttpAppDeps } from './http-app';
import { testGatewayMetrics } from '../testing/gateway-metrics';
import { listenApp } from '../testing/listen-app';
import { connectSourcesOf } from './security-headers';

/** A node list the test changes, as a discovery engine would (a new array on each change). */
class ChangingDirectory {
  nodes: readonly NodeInstance[] = [{ nodeId: 'im-1', url: 'http://127.0.0.1:9101' }];
  healthyNodes(): readonly NodeInstance[] {
    return this.nodes;
  }
}

describe('the gateway HTTP app under hostile requests', () => {
  const directory = new ChangingDirectory();
  const logged: { level: 'warn' | 'error'; fields: Record<string, unknown>; msg: string }[] = [];
  const logger = {
    warn: (fields: Record<string, unknown>, msg: string) => logged.push({ level: 'warn', fields, msg }),
    error: (fields: Record<string, unknown>, msg: string) => logged.push({ level: 'error', fields, msg }),
    info: () => undefined,
    debug: () => undefined,
  };
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const app = createHttpApp({
      ...testGatewayMetrics(),
      accounts: {
        login: () => Promise.reject(new ParleyError('INVALID_CREDENTIALS', 'wrong username or password')),
      } as unknown as HttpAppDeps['accounts'],
      sessions: {} as HttpAppDeps['sessions'],
      assigner: {} as HttpAppDeps['assigner'],
      directory: directory as unknown as HttpAppDeps['directory'],
      logger: logger as unknown as HttpAppDeps['logger'],
    });
    ({ server, base } = await listenApp(app));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    logged.length = 0;
  });

  const post = (path: string, body: string, contentType: string): Promise<Response> =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });

  async function problemOf(res: Response): Promise<{ status: number; code: unknown; type: string | null }> {
    const body = (await res.json()) as { code?: unknown };
    return { status: res.status, code: body.code, type: res.headers.get('content-type') };
  }

  it('sends a strict CSP and its companions on API answers, with no X-Powered-By', async () => {
    const res = await fetch(`${base}/healthz`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-powered-by')).toBeNull();
    // Problem documents too.
    expect((await fetch(`${base}/api/nope`)).headers.get('content-security-policy')).toBe(csp);
  });

  it("lets the client connect to the IM nodes the gateway hands out, including one that joins later, and no other", async () => {
    const connectSrc = async (): Promise<string> =>
      /connect-src ([^;]*)/.exec((await fetch(`${base}/healthz`)).headers.get('content-security-policy') ?? '')?.[1]?.trim() ?? '';
    expect(await connectSrc()).toBe("'self' http://127.0.0.1:9101 ws://127.0.0.1:9101");
    directory.nodes = [
      ...directory.nodes,
      { nodeId: 'im-2', url: 'https://im2.example.com/' },
      // A registry entry crafted to inject a directive adds nothing.
      { nodeId: 'evil', url: "javascript:alert(1); script-src 'unsafe-inline'" },
    ];
    expect(await connectSrc()).toBe("'self' http://127.0.0.1:9101 ws://127.0.0.1:9101 https://im2.example.com wss://im2.example.com");
  });

  it('answers a 5 MB body with 413 PAYLOAD_TOO_LARGE, a warning without stack, and keeps serving', async () => {
    const huge = `{"username":"${'a'.repeat(5 * 1024 * 1024)}"}`;
    const res = await post('/api/auth/register', huge, 'application/json');
    expect(await problemOf(res)).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE', type: expect.stringMatching(/^application\/problem\+json/) });
    expect(logged.filter((l) => l.level === 'error')).toEqual([]);
    expect(logged).toEqual([{ level: 'warn', msg: 'request body refused', fields: expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }) }]);
    expect(JSON.stringify(logged)).not.toContain('stack');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('answers a charset other than UTF-8 and a body that is not JSON with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    expect(await problemOf(await post('/api/auth/login', '{"username":"ann"}', 'application/json; charset=koi8-r'))).toMatchObject({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    expect(await problemOf(await post('/api/auth/login', 'username=ann&password=x', 'application/x-www-form-urlencoded'))).toMatchObject({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    expect(await problemOf(await post('/api/auth/login', '{"username":"ann"}', 'text/plain'))).toMatchObject({ status: 415 });
    expect(logged.map((l) => l.level)).toEqual(['warn', 'warn', 'warn']);
  });

  it('answers malformed JSON with 400 INVALID_ARGUMENT naming the body', async () => {
    const res = await post('/api/auth/login', '{"username": "ann",', 'application/json');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'INVALID_ARGUMENT', detail: 'body: malformed JSON' });
    expect(logged.map((l) => l.level)).toEqual(['warn']);
  });

  it('still takes UTF-8 JSON: it reaches the handler (here an account service that refuses every login)', async () => {
    const res = await post('/api/auth/login', '{"username":"ann","password":"x"}', 'application/json; charset=utf-8');
    expect(await problemOf(res)).toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS' });
    expect(logged).toEqual([]);
  });
});

describe('connectSourcesOf', () => {
  it('gives the http(s) and ws(s) forms of a node origin and ignores anything else', () => {
    expect(connectSourcesOf('http://10.0.0.5:8081/socket')).toEqual(['http://10.0.0.5:8081', 'ws://10.0.0.5:8081']);
    expect(connectSourcesOf('https://im.example.com')).toEqual(['https://im.example.com', 'wss://im.example.com']);
    expect(connectSourcesOf('ws://10.0.0.5:8081')).toEqual([]);
    expect(connectSourcesOf('not a url')).toEqual([]);
  });
});
