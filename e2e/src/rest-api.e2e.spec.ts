import fs from 'node:fs';
import path from 'node:path';
import webpush from 'web-push';
import { z } from 'zod';
import { TEST_PASSWORD, startCluster, type Cluster } from '@parley/testing';
import { hasChromium, launchBrowser, watchPage, type TestBrowser } from './web/browser';
import { listOperators } from './support/operators';
import { TestUser, uniqueName } from './support/test-user';

jest.setTimeout(90_000);

const SCREENSHOTS = path.resolve(__dirname, '../../tmp/screenshots');
/** Registered, then named in PARLEY_ADMIN_USERS: the admin API's operations are called as this user. */
const OAS_ADMIN = `oas_admin_${process.pid % 100_000}`;

/** The parts of an OpenAPI 3.1 document this test reads (it is read from the wire, so typed loosely). */
interface Operation {
  operationId: string;
  security?: Record<string, string[]>[];
  responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { schema: object }> }>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object>; securitySchemes: Record<string, { type: string; scheme?: string }> };
}

/** A call made as a client would, and what the gateway answered. */
interface Exchange {
  method: string;
  path: string;
  status: number;
  contentType: string;
  headers: Headers;
  body: unknown;
}

describe('the REST API as its OpenAPI document describes it, on a running gateway', () => {
  let cluster: Cluster;
  let doc: Document;
  const exchanges: Exchange[] = [];

  /** Calls the gateway and records the exchange, to be checked against the document. */
  const call = async (method: string, url: string, options: { token?: string; body?: unknown; raw?: Uint8Array<ArrayBuffer> } = {}): Promise<Exchange> => {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.raw !== undefined) headers['content-type'] = 'application/octet-stream';
    const res = await fetch(`${cluster.gatewayUrl}${url}`, {
      method,
      headers,
      body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const [contentType = ''] = (res.headers.get('content-type') ?? '').split(';');
    const [urlPath = url] = url.split('?');
    const text = await res.text();
    const exchange: Exchange = {
      method: method.toLowerCase(),
      path: urlPath,
      status: res.status,
      contentType,
      headers: res.headers,
      body: contentType.endsWith('json') ? JSON.parse(text) : text,
    };
    exchanges.push(exchange);
    return exchange;
  };

  beforeAll(async () => {
    // A long first backoff, so the guess that finds the gate shut does not depend on how fast the ones before it went.
    const vapid = webpush.generateVAPIDKeys();
    // Push configured, so its operations answer (the subscription below points at a port nothing listens on).
    const gatewayEnv: Record<string, string> = {
      PARLEY_LOGIN_BACKOFF_BASE_SEC: '60',
      PARLEY_VAPID_PUBLIC_KEY: vapid.publicKey,
      PARLEY_VAPID_PRIVATE_KEY: vapid.privateKey,
    };
    cluster = await startCluster({ nodes: 1, name: 'rest-api-e2e', gatewayEnv });
    // The operator's account exists before its name is listed (a listed name is reserved).
    const operator = await fetch(`${cluster.gatewayUrl}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: OAS_ADMIN, password: TEST_PASSWORD }),
    });
    const { token } = z.object({ token: z.string() }).parse(await operator.json());
    await listOperators(cluster, gatewayEnv, [OAS_ADMIN], token);
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('serves an OpenAPI 3.1 document at GET /api/openapi.json, without a token', async () => {
    const res = await call('GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('application/json');
    doc = res.body as Document;
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(Object.values(doc.components.securitySchemes)).toContainEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/auth/register', '/api/auth/login', '/api/me', '/api/users', '/api/nodes/assign', '/api/nodes', '/healthz', '/api/docs']),
    );
  });

  it('answers every operation, successes and failures, as the document says (status, media type, schema, error code)', async () => {
    const username = uniqueName('oas');
    const password = TEST_PASSWORD;
    const registered = await call('POST', '/api/auth/register', { body: { username, password, displayName: 'Open Api' } });
    expect(registered.status).toBe(201);
    const { token } = registered.body as { token: string };
    expect((await call('POST', '/api/auth/register', { body: { username: username.toUpperCase(), password } })).status).toBe(409);
    expect((await call('POST', '/api/auth/register', { body: { username: 'a b', password } })).status).toBe(400);
    expect((await call('POST', '/api/auth/login', { body: { username, password } })).status).toBe(200);
    expect((await call('POST', '/api/auth/login', { body: { username } })).status).toBe(400);
    expect((await call('GET', '/api/me', { token })).status).toBe(200);
    expect((await call('GET', '/api/me', { token: 'not-a-jwt' })).status).toBe(401);
    expect((await call('PATCH', '/api/me', { token, body: { bio: 'described', avatarUrl: 'https://example.com/a.png' } })).status).toBe(200);
    expect((await call('PATCH', '/api/me', { token, body: { nickname: 'x' } })).status).toBe(400);
    expect((await call('PATCH', '/api/me', { body: { bio: 'x' } })).status).toBe(401);
    expect((await call('GET', `/api/users?q=${username.slice(0, 8)}&limit=5`, { token })).status).toBe(200);
    expect((await call('GET', '/api/users?limit=500', { token })).status).toBe(400);
    const assigned = await call('GET', '/api/nodes/assign?room=group:x', { token });
    expect(assigned.status).toBe(200);
    // No public entry: the node's own URL and Socket.IO's default path (public-entry.e2e.spec.ts has the entry).
    expect(assigned.body).toEqual({ nodeId: 'im-1', url: cluster.nodes[0]?.url, path: '/socket.io' });
    expect((await call('GET', `/api/nodes/assign?room=${'r'.repeat(200)}`, { token })).status).toBe(400);
    expect((await call('GET', '/api/nodes', { token })).status).toBe(200);
    expect((await call('GET', '/api/nodes')).status).toBe(401);
    expect((await call('GET', '/healthz')).status).toBe(200);
    expect((await call('GET', '/livez')).status).toBe(200);
    expect((await call('GET', '/readyz')).status).toBe(200);
    const metrics = await call('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^parley_ready\{node="",gateway="gw-1"\} 1$/m);
    expect((await call('GET', '/api/docs')).status).toBe(200);
    // Failed logins until the limiter answers 429 (10 free failures, one more through the backoff gate, then a wait).
    let limited: Exchange | undefined;
    for (let i = 0; i < 12 && !limited; i++) {
      const res = await call('POST', '/api/auth/login', { body: { username, password: `wrong-${i}-password` } });
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(401);
    }
    expect(limited?.headers.get('retry-after')).toMatch(/^\d+$/);

    // Attachments (the fs engine): a ticket, the bytes to its URL, a check, a send over the socket, a link, the bytes behind it.
    const uploader = await TestUser.register(cluster.gatewayUrl, 'oas');
    const fileBytes = new Uint8Array([0x00, 0x01, 0x02, 0x03, 0xfe, 0xff, 0x10, 0x20]);
    const ticket = await call('POST', '/api/uploads', { token: uploader.auth.token, body: { name: 'data.bin', size: fileBytes.length } });
    expect(ticket.status).toBe(201);
    const { uploadId, url: uploadUrl } = ticket.body as { uploadId: string; url: string };
    expect((await call('POST', '/api/uploads', { token: uploader.auth.token, body: { name: 'huge.bin', size: 1e12 } })).status).toBe(413);
    expect((await call('POST', `/api/uploads/${uploadId}/complete`, { token: uploader.auth.token })).status).toBe(409);
    expect((await call('PUT', uploadUrl.replace(/t=[^&]+/, 't=1.forged'), { raw: fileBytes })).status).toBe(403);
    expect((await call('PUT', uploadUrl, { raw: fileBytes })).status).toBe(204);
    expect((await call('PUT', uploadUrl, { raw: fileBytes })).status).toBe(409);
    expect((await call('POST', `/api/uploads/${uploadId}/complete`, { token: uploader.auth.token })).status).toBe(200);
    expect((await call('GET', `/api/attachments/${uploadId}`, { token: uploader.auth.token })).status).toBe(404);
    await uploader.connect();
    const { group } = await uploader.ok('group:create', { name: 'oas files' });
    await uploader.ok('message:send', { to: { type: 'group', id: group.id }, clientMsgId: uniqueName('oas'), kind: 'file', body: { attachmentId: uploadId } });
    uploader.disconnect();
    const link = await call('GET', `/api/attachments/${uploadId}`, { token: uploader.auth.token });
    expect(link.status).toBe(200);
    expect((await call('GET', `/api/attachments/${uploadId}`, { token })).status).toBe(404);
    const blobUrl = (link.body as { url: string }).url;
    const blob = await call('GET', blobUrl);
    expect(blob.status).toBe(200);
    expect(blob.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await call('GET', blobUrl.replace(/sig=[^&]+/, 'sig=forged'))).status).toBe(403);

    // Push: the VAPID key (no token), a subscription of this session, its removal.
    expect((await call('GET', '/api/push/vapid-public-key')).status).toBe(200);
    const pushSubscription = {
      endpoint: 'https://push.example.com/send/oas-e2e',
      keys: { p256dh: Buffer.alloc(65, 4).toString('base64url'), auth: Buffer.alloc(16, 7).toString('base64url') },
    };
    expect((await call('POST', '/api/push/subscriptions', { body: pushSubscription })).status).toBe(401);
    expect((await call('POST', '/api/push/subscriptions', { token, body: { ...pushSubscription, endpoint: 'https://127.0.0.1/x' } })).status).toBe(400);
    expect((await call('POST', '/api/push/subscriptions', { token, body: pushSubscription })).status).toBe(201);
    expect((await call('DELETE', '/api/push/subscriptions', { token, body: { endpoint: pushSubscription.endpoint } })).status).toBe(204);
    expect((await call('DELETE', '/api/push/subscriptions', { token, body: { endpoint: pushSubscription.endpoint } })).status).toBe(404);

    // Sessions, on an account of their own: refresh, change the password, sign out here, everywhere, delete it.
    const sessionUser = uniqueName('oas');
    const newPassword = 'quartz-lantern-meadow-58';
    const first = (await call('POST', '/api/auth/register', { body: { username: sessionUser, password } })).body as { refreshToken: string };
    const refreshed = await call('POST', '/api/auth/refresh', { body: { refreshToken: first.refreshToken } });
    expect(refreshed.status).toBe(200);
    const { token: fresh } = refreshed.body as { token: string };
    expect((await call('POST', '/api/me/password', { token: fresh, body: { currentPassword: password, newPassword } })).status).toBe(204);
    expect((await call('POST', '/api/auth/logout', { token: fresh })).status).toBe(204);
    const signIn = async (): Promise<string> =>
      ((await call('POST', '/api/auth/login', { body: { username: sessionUser, password: newPassword } })).body as { token: string }).token;
    expect((await call('POST', '/api/auth/logout-all', { token: await signIn() })).status).toBe(204);
    expect((await call('DELETE', '/api/me', { token: await signIn(), body: { password: newPassword } })).status).toBe(204);

    // The admin API: an admin (PARLEY_ADMIN_USERS) acts on a user of its own; a normal user is refused.
    const operator = (await call('POST', '/api/auth/login', { body: { username: OAS_ADMIN, password } })).body as { token: string; user: { id: string } };
    const targetName = uniqueName('oas');
    const target = ((await call('POST', '/api/auth/register', { body: { username: targetName, password } })).body as { user: { id: string } }).user.id;
    const asOp = (body?: unknown) => ({ token: operator.token, body });
    expect((await call('GET', '/api/admin/fleet', asOp())).status).toBe(200);
    expect((await call('GET', '/api/admin/fleet', { token })).status).toBe(403);
    expect((await call('GET', '/api/admin/access', asOp())).body).toEqual({ admin: true });
    expect((await call('GET', '/api/admin/access', { token })).body).toEqual({ admin: false });
    expect((await call('GET', '/api/admin/access')).status).toBe(401);
    expect((await call('GET', `/api/admin/users?q=${targetName}`, asOp())).status).toBe(200);
    expect((await call('GET', '/api/admin/users', asOp())).status).toBe(400);
    expect((await call('POST', `/api/admin/users/${target}/disconnect`, asOp({ reason: 'openapi e2e' }))).status).toBe(200);
    expect((await call('POST', `/api/admin/users/${target}/suspend`, asOp({}))).status).toBe(200);
    expect((await call('POST', '/api/auth/login', { body: { username: targetName, password } })).status).toBe(403);
    expect((await call('POST', `/api/admin/users/${operator.user.id}/suspend`, asOp({}))).status).toBe(409);
    expect((await call('POST', `/api/admin/users/${target}/unsuspend`, asOp({}))).status).toBe(200);
    expect((await call('POST', '/api/admin/users/nobody/unsuspend', asOp({}))).status).toBe(404);
    expect((await call('POST', '/api/admin/notices', asOp({ text: 'from the OpenAPI test' }))).status).toBe(201);
    expect((await call('GET', '/api/admin/audit?limit=10', asOp())).status).toBe(200);
    expect((await call('POST', '/api/admin/nodes/im-9/drain', asOp({}))).status).toBe(404);
    // Last: the cluster's only node drains (and stops); nothing after this needs it.
    expect((await call('POST', '/api/admin/nodes/im-1/drain', asOp({}))).status).toBe(200);

    const inline = (schema: unknown): unknown => {
      if (Array.isArray(schema)) return schema.map(inline);
      if (!schema || typeof schema !== 'object') return schema;
      const ref = (schema as { $ref?: unknown }).$ref;
      if (typeof ref === 'string') return inline(doc.components.schemas[ref.replace('#/components/schemas/', '')]);
      return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, inline(v)]));
    };
    /** The document's path template a concrete path fills (`/api/admin/users/{userId}/suspend`). */
    const templateOf = (concrete: string): string =>
      Object.keys(doc.paths).find((t) => new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(concrete)) ?? concrete;
    const answered = new Map<string, Set<string>>();
    for (const ex of exchanges) {
      const template = templateOf(ex.path);
      const at = `${ex.method.toUpperCase()} ${template} -> ${ex.status}`;
      const op = doc.paths[template]?.[ex.method];
      expect({ at, documented: Boolean(op) }).toEqual({ at, documented: true });
      // From here on op and response are defined: the expects above throw otherwise.
      const response = op?.responses[String(ex.status)];
      expect({ at, statusDocumented: Boolean(response) }).toEqual({ at, statusDocumented: true });
      if (response?.content) {
        expect({ at, mediaType: ex.contentType }).toEqual({ at, mediaType: Object.keys(response.content)[0] });
        const schema = z.fromJSONSchema(inline(response.content[ex.contentType]?.schema) as Parameters<typeof z.fromJSONSchema>[0]);
        const result = schema.safeParse(ex.body);
        expect({ at, issues: result.error?.issues ?? [] }).toEqual({ at, issues: [] });
      } else {
        // Documented without content (204): nothing was sent.
        expect({ at, body: ex.body }).toEqual({ at, body: '' });
      }
      for (const header of Object.keys(response?.headers ?? {})) expect({ at, header, sent: ex.headers.has(header) }).toEqual({ at, header, sent: true });
      const key = `${ex.method.toUpperCase()} ${template}`;
      answered.set(key, (answered.get(key) ?? new Set()).add(String(ex.status)));
    }
    // Every operation was answered with its success status, and the failures above covered these codes.
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const success = Object.keys(op.responses).find((s) => s.startsWith('2'));
        expect({ op: op.operationId, answered: answered.get(`${method.toUpperCase()} ${p}`)?.has(success ?? '') }).toEqual({ op: op.operationId, answered: true });
      }
    }
    const codes = new Set(exchanges.map((ex) => (ex.body as { code?: string }).code).filter(Boolean));
    expect([...codes].sort()).toEqual([
      'ACCOUNT_SUSPENDED',
      'CONFLICT',
      'FORBIDDEN',
      'INVALID_ARGUMENT',
      'INVALID_CREDENTIALS',
      'NOT_FOUND',
      'PAYLOAD_TOO_LARGE',
      'RATE_LIMITED',
      'UNAUTHORIZED',
      'USERNAME_TAKEN',
    ]);
  });

  describe('the docs page in a browser', () => {
    let browser: TestBrowser | undefined;
    afterAll(async () => {
      await browser?.close();
    });

    (hasChromium() ? it : it.skip)('renders every operation and runs a request, loading nothing from elsewhere and breaking no CSP rule', async () => {
      browser = await launchBrowser();
      const context = await browser.newContext();
      const page = await context.newPage();
      const seen = watchPage(page);
      const origin = new URL(cluster.gatewayUrl).origin;
      const requests: string[] = [];
      page.on('request', (req) => requests.push(req.url()));
      await page.addInitScript(() => {
        const violations: string[] = [];
        Object.assign(window, { cspViolations: violations });
        document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));
      });

      await page.goto(`${cluster.gatewayUrl}/api/docs`);
      const operationCount = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
      await page.waitForFunction((n) => document.querySelectorAll('.opblock').length === n, operationCount, { timeout: 20_000 });
      await page.getByText('Parley gateway REST API').first().waitFor();

      // Open GET /healthz, "Try it out", "Execute": the page calls the gateway itself.
      const health = page.locator('#operations-operations-health');
      await health.locator('.opblock-summary').click();
      await health.getByRole('button', { name: 'Try it out' }).click();
      await health.getByRole('button', { name: 'Execute' }).click();
      await health.locator('.live-responses-table .response-col_status').filter({ hasText: '200' }).first().waitFor();
      // The error responses of login show their codes.
      const login = page.locator('#operations-auth-login');
      await login.locator('.opblock-summary').click();
      await login.getByText('INVALID_CREDENTIALS').first().waitFor();

      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'api-docs.png'), fullPage: true });

      expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
      expect(seen.errors).toEqual([]);
      expect(requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'))).toEqual([]);
      expect(requests).toEqual(expect.arrayContaining([`${origin}/api/openapi.json`, `${origin}/healthz`]));
    });
  });
});
