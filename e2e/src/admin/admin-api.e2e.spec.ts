import http from 'node:http';
import { io } from 'socket.io-client';
import { auditPageSchema, fleetSchema, type AuthResult, type Fleet, type SessionEndReason, type SystemNotice } from '@parley/protocol';
import { TEST_PASSWORD, at, startCluster, waitFor, type Cluster } from '@parley/testing';
import { listOperators } from '../support/operators';
import { TestUser, type ClientSocket } from '../support/test-user';

jest.setTimeout(120_000);

/** Operators registered, then named in PARLEY_ADMIN_USERS (the second floods notices). */
const ADMIN = `op_${process.pid % 100_000}`;
const FLOODER = `op2_${process.pid % 100_000}`;
/** Listed too, but nobody registered it first: reserved, so nobody can. */
const UNHELD = `op3_${process.pid % 100_000}`;

/** One socket and what it was told, by event. */
interface Watched {
  socket: ClientSocket;
  ended: SessionEndReason[];
  notices: SystemNotice[];
  draining: number;
  disconnected: boolean;
}

describe('the admin API on a real cluster (gateway, 2 IM nodes, MariaDB, Redis)', () => {
  let cluster: Cluster;
  let admin: AuthResult;
  let flooder: AuthResult;
  const sockets: ClientSocket[] = [];

  const api = async (method: string, path: string, token: string | undefined, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${cluster.gatewayUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const login = (username: string, password = TEST_PASSWORD) => api('POST', '/api/auth/login', undefined, { username, password });
  const register = async (username: string): Promise<AuthResult> => {
    const res = await api('POST', '/api/auth/register', undefined, { username, password: TEST_PASSWORD });
    expect(res.status).toBe(201);
    return res.body as unknown as AuthResult;
  };
  const fleet = async (): Promise<Fleet> => fleetSchema.parse((await api('GET', '/api/admin/fleet', admin.token)).body);
  const nodeOf = (f: Fleet, nodeId: string) => f.nodes.find((n) => n.nodeId === nodeId);

  /** Opens a socket with `token` on node `index` and records what it is told. */
  async function watch(token: string, index: number): Promise<Watched> {
    const socket: ClientSocket = io(at(cluster.nodes, index, 'node').url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    const watched: Watched = { socket, ended: [], notices: [], draining: 0, disconnected: false };
    socket.on('session:ended', ({ reason }) => watched.ended.push(reason));
    socket.on('system:notice', (notice) => watched.notices.push(notice));
    socket.on('server:draining', () => void watched.draining++);
    socket.on('disconnect', () => void (watched.disconnected = true));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    sockets.push(socket);
    return watched;
  }

  /** A handshake with `token`: 'connected' or the server's refusal. */
  async function handshake(token: string, index: number): Promise<string> {
    const socket: ClientSocket = io(at(cluster.nodes, index, 'node').url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    try {
      return await new Promise<string>((resolve) => {
        socket.once('connect', () => resolve('connected'));
        socket.once('connect_error', (err) => resolve(err.message));
      });
    } finally {
      socket.disconnect();
    }
  }

  beforeAll(async () => {
    const gatewayEnv: Record<string, string> = {};
    cluster = await startCluster({ nodes: 2, name: 'admin-api-e2e', gatewayEnv });
    [admin, flooder] = await Promise.all([register(ADMIN), register(FLOODER)]);
    await listOperators(cluster, gatewayEnv, [ADMIN, FLOODER.toUpperCase(), UNHELD], admin.token);
    await waitFor('both nodes report to the gateway', fleet, (f) => f.nodes.filter((n) => n.health === 'ready').length === 2);
  }, 120_000);

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await cluster?.stop();
  });

  it('gives a normal user 403 FORBIDDEN on every admin route the OpenAPI document lists (and 401 without a token)', async () => {
    const doc = (await api('GET', '/api/openapi.json', undefined)).body as { paths: Record<string, Record<string, { tags?: string[] }>> };
    const routes = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        // /access answers every signed-in user (the next test): not an admin route.
        .filter(([, op]) => op.tags?.includes('admin') && path !== '/api/admin/access')
        .map(([method, op]) => ({ method: method.toUpperCase(), path: path.replace('{userId}', admin.user.id).replace('{nodeId}', 'im-1'), tags: op.tags })),
    );
    // Every /api/admin path but /access is tagged admin, so none escapes this loop.
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/api/admin')).length).toBe(new Set(routes.map((r) => r.path)).size + 1);
    expect(routes.length).toBeGreaterThanOrEqual(8);
    const normal = await TestUser.register(cluster.gatewayUrl, 'normal');
    for (const route of routes) {
      const body = route.method === 'GET' ? undefined : { text: 'not from you', reason: 'x' };
      const path = route.path + (route.path.endsWith('/users') ? '?q=a' : '');
      expect({ route: `${route.method} ${path}`, ...(await api(route.method, path, normal.auth.token, body)) }).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
      expect({ route: `${route.method} ${path}`, ...(await api(route.method, path, undefined, body)) }).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
    }
    // Nothing happened: the admin is not suspended, no node drains, the audit log is empty.
    expect((await login(ADMIN)).status).toBe(200);
    expect((await fleet()).nodes.map((n) => n.health)).toEqual(['ready', 'ready']);
    expect(auditPageSchema.parse((await api('GET', '/api/admin/audit', admin.token)).body).entries).toEqual([]);
  });

  it('refuses to register a listed name (held or not, any case): 409 USERNAME_TAKEN saying it is reserved, and no account', async () => {
    for (const username of [UNHELD, UNHELD.toUpperCase(), ADMIN.toUpperCase()]) {
      expect(await api('POST', '/api/auth/register', undefined, { username, password: TEST_PASSWORD })).toMatchObject({
        status: 409,
        body: { code: 'USERNAME_TAKEN', detail: expect.stringContaining('reserved for an operator') },
      });
    }
    expect((await login(UNHELD)).status).toBe(401);
    expect((await api('GET', `/api/admin/users?q=${UNHELD}`, admin.token)).body).toEqual({ users: [] });
  });

  it('answers /access to anyone signed in (admin or not, never 403), without counting a refusal or writing the audit log', async () => {
    const forbidden = async (): Promise<number> => {
      const text = await (await fetch(`${cluster.gatewayUrl}/metrics`)).text();
      return [...text.matchAll(/^parley_admin_actions_total\{[^}]*outcome="forbidden"[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    };
    const refusedBefore = await forbidden();
    const auditBefore = auditPageSchema.parse((await api('GET', '/api/admin/audit', admin.token)).body).entries.length;
    const normal = await TestUser.register(cluster.gatewayUrl, 'access');
    expect(await api('GET', '/api/admin/access', undefined)).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
    expect(await api('GET', '/api/admin/access', admin.token)).toEqual({ status: 200, body: { admin: true } });
    // Many sign-ins' worth of asks, ten at a time (a hundred at once measured the store's pool, not this route): each false, none a refusal.
    const asks: Awaited<ReturnType<typeof api>>[] = [];
    for (let wave = 0; wave < 5; wave++) asks.push(...(await Promise.all(Array.from({ length: 10 }, () => api('GET', '/api/admin/access', normal.auth.token)))));
    expect(new Set(asks.map((r) => `${r.status} ${JSON.stringify(r.body)}`))).toEqual(new Set(['200 {"admin":false}']));
    expect(await forbidden()).toBe(refusedBefore);
    expect(auditPageSchema.parse((await api('GET', '/api/admin/audit', admin.token)).body).entries).toHaveLength(auditBefore);
  });

  it('shows both nodes in the fleet with socket counts that match the connected clients', async () => {
    const before = await fleet();
    const base = [nodeOf(before, 'im-1')?.sockets ?? 0, nodeOf(before, 'im-2')?.sockets ?? 0];
    const users = await Promise.all([1, 2, 3].map(() => TestUser.register(cluster.gatewayUrl, 'fleet')));
    await Promise.all([watch(at(users, 0, 'u').auth.token, 0), watch(at(users, 1, 'u').auth.token, 1), watch(at(users, 2, 'u').auth.token, 1)]);
    const f = await waitFor('the fleet counts the new sockets', fleet, (x) => nodeOf(x, 'im-1')?.sockets === (base[0] ?? 0) + 1 && nodeOf(x, 'im-2')?.sockets === (base[1] ?? 0) + 2);
    expect(f.nodes.map((n) => [n.nodeId, n.health, n.url])).toEqual([
      ['im-1', 'ready', at(cluster.nodes, 0, 'node').url],
      ['im-2', 'ready', at(cluster.nodes, 1, 'node').url],
    ]);
    expect(f.gateways).toEqual([{ gatewayId: 'gw-1', self: true, nodes: ['im-1', 'im-2'] }]);
    for (const node of f.nodes) expect(node.gateways).toEqual(['gw-1']);
  });

  it('disconnect ends the user\'s sockets on both nodes at once with session:ended disconnected; they can sign in again', async () => {
    const user = await TestUser.register(cluster.gatewayUrl, 'kicked');
    const [a, b] = await Promise.all([watch(user.auth.token, 0), watch(user.auth.token, 1)]);
    const res = await api('POST', `/api/admin/users/${user.id}/disconnect`, admin.token, { reason: 'e2e' });
    expect(res).toMatchObject({ status: 200, body: { sessionsEnded: 1, user: { id: user.id, suspendedAt: null } } });
    await waitFor('both sockets end', () => [a, b].map((w) => w.disconnected), (d) => d.every(Boolean), { timeoutMs: 5_000 });
    expect([a.ended, b.ended]).toEqual([['disconnected'], ['disconnected']]);
    expect(await handshake(user.auth.token, 0)).toBe('UNAUTHORIZED');
    const again = await login(user.auth.user.username);
    expect(again.status).toBe(200);
    expect(await handshake((again.body as unknown as AuthResult).token, 1)).toBe('connected');
  });

  it('suspend ends the sockets with suspended, refuses login (403 ACCOUNT_SUSPENDED, only with the right password), the old token and refresh; unsuspend restores', async () => {
    const user = await TestUser.register(cluster.gatewayUrl, 'suspended');
    const name = user.auth.user.username;
    const [a, b] = await Promise.all([watch(user.auth.token, 0), watch(user.auth.token, 1)]);
    expect((await api('POST', `/api/admin/users/${user.id}/suspend`, admin.token, { reason: 'spam' })).status).toBe(200);
    await waitFor('both sockets end', () => [a, b].map((w) => w.disconnected), (d) => d.every(Boolean), { timeoutMs: 5_000 });
    expect([a.ended, b.ended]).toEqual([['suspended'], ['suspended']]);
    expect(await login(name)).toMatchObject({ status: 403, body: { code: 'ACCOUNT_SUSPENDED' } });
    // A guesser learns nothing: a wrong password is the usual 401.
    expect(await login(name, 'not-the-password-1')).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });
    // The access token has not expired, but its session is revoked: no socket, no REST.
    expect(await handshake(user.auth.token, 0)).toBe('UNAUTHORIZED');
    expect(await handshake(user.auth.token, 1)).toBe('UNAUTHORIZED');
    expect((await api('GET', '/api/me', user.auth.token)).status).toBe(401);
    expect((await api('POST', '/api/auth/refresh', undefined, { refreshToken: user.auth.refreshToken })).status).toBe(401);
    // Twice changes nothing; an admin cannot suspend themselves.
    expect((await api('POST', `/api/admin/users/${user.id}/suspend`, admin.token, {})).body).toMatchObject({ sessionsEnded: 0 });
    expect(await api('POST', `/api/admin/users/${admin.user.id}/suspend`, admin.token, {})).toMatchObject({ status: 409, body: { code: 'CONFLICT' } });
    const found = await api('GET', `/api/admin/users?q=${encodeURIComponent(name)}`, admin.token);
    expect(found.body).toEqual({ users: [expect.objectContaining({ id: user.id, suspendedAt: expect.any(Number) })] });

    expect(await api('POST', `/api/admin/users/${user.id}/unsuspend`, admin.token)).toMatchObject({ status: 200, body: { user: { suspendedAt: null } } });
    const back = await login(name);
    expect(back.status).toBe(200);
    expect(await handshake((back.body as unknown as AuthResult).token, 0)).toBe('connected');
  });

  it('a notice reaches every socket on both nodes exactly once', async () => {
    const users = await Promise.all([1, 2, 3, 4].map(() => TestUser.register(cluster.gatewayUrl, 'reader')));
    const watched = await Promise.all(users.map((u, i) => watch(u.auth.token, i % 2)));
    const first = await api('POST', '/api/admin/notices', admin.token, { text: 'Maintenance at 22:00 UTC', level: 'warning' });
    expect(first).toMatchObject({ status: 201, body: { notice: { text: 'Maintenance at 22:00 UTC', level: 'warning' } } });
    expect([...((first.body.nodes as string[]) ?? [])].sort()).toEqual(['im-1', 'im-2']);
    // A second notice behind it on the same streams: once it arrived everywhere, any duplicate of the first would have too.
    const second = await api('POST', '/api/admin/notices', admin.token, { text: 'Done' });
    const secondId = (second.body.notice as SystemNotice).id;
    await waitFor('the second notice everywhere', () => watched.map((w) => w.notices.some((n) => n.id === secondId)), (seen) => seen.every(Boolean));
    for (const w of watched) expect(w.notices.map((n) => n.text)).toEqual(['Maintenance at 22:00 UTC', 'Done']);
  });

  it('lists each action in the audit log, newest first, with actor and gateway', async () => {
    const page = auditPageSchema.parse((await api('GET', '/api/admin/audit?limit=50', admin.token)).body);
    expect(page.entries.map((e) => e.action).reverse()).toEqual(['user:disconnect', 'user:suspend', 'user:suspend', 'user:unsuspend', 'notice:post', 'notice:post']);
    for (const entry of page.entries) expect(entry).toMatchObject({ actorId: admin.user.id, actorUsername: ADMIN, gatewayId: 'gw-1' });
    expect(page.entries.find((e) => e.action === 'user:suspend' && e.detail.includes('spam'))).toBeDefined();
  });

  it('a thousand notices posted at once: ten go out, the rest are 429 with retryAfterMs, nothing crashes', async () => {
    // All issued at once over 100 kept-alive connections: a thousand fresh TCP connects would overflow the
    // listen backlog and measure the kernel, not the gateway.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 100 });
    const post = (): Promise<{ status: number; body: Record<string, unknown> }> =>
      new Promise((resolve, reject) => {
        const req = http.request(`${cluster.gatewayUrl}/api/admin/notices`, {
          method: 'POST',
          agent,
          headers: { authorization: `Bearer ${flooder.token}`, 'content-type': 'application/json' },
        });
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
        });
        req.on('error', reject);
        req.end(JSON.stringify({ text: 'flood' }));
      });
    const answers = await Promise.all(Array.from({ length: 1_000 }, post)).finally(() => agent.destroy());
    const count = (status: number) => answers.filter((a) => a.status === status).length;
    expect(count(201)).toBe(10);
    expect(count(429)).toBe(990);
    expect(answers.find((a) => a.status === 429)?.body).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    expect((await fetch(`${cluster.gatewayUrl}/readyz`)).status).toBe(200);
    expect((await fleet()).nodes.map((n) => n.health)).toEqual(['ready', 'ready']);
  });

  it('drain: the node\'s sockets get server:draining, the fleet shows it draining, then it stops; the other node serves on', async () => {
    const user = await TestUser.register(cluster.gatewayUrl, 'drained');
    const [onTwo, onOne] = await Promise.all([watch(user.auth.token, 1), watch(user.auth.token, 0)]);
    expect(await api('POST', '/api/admin/nodes/im-2/drain', admin.token, { reason: 'e2e' })).toMatchObject({ status: 200, body: { nodeId: 'im-2', accepted: true } });
    // Twice is accepted and changes nothing.
    expect((await api('POST', '/api/admin/nodes/im-2/drain', admin.token, {})).status).toBe(200);
    expect(await api('POST', '/api/admin/nodes/im-9/drain', admin.token, {})).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    // No id means every node: 'all' is a node nobody runs.
    expect(await api('POST', '/api/admin/nodes/all/drain', admin.token, {})).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    await waitFor('server:draining on im-2', () => onTwo.draining, (n) => n > 0, { timeoutMs: 5_000 });
    await waitFor('the fleet shows im-2 draining', fleet, (f) => nodeOf(f, 'im-2')?.health === 'draining');
    expect(onOne.draining).toBe(0);
    onTwo.socket.disconnect();
    // The im-service drain path ends the process (as SIGTERM does).
    expect(await at(cluster.nodes, 1, 'node').exited).toBe(0);
    await waitFor('the fleet shows im-2 stale', fleet, (f) => nodeOf(f, 'im-2')?.health === 'stale');
    expect(nodeOf(await fleet(), 'im-1')?.health).toBe('ready');
    expect(onOne.disconnected).toBe(false);
    const audit = auditPageSchema.parse((await api('GET', '/api/admin/audit?limit=5', admin.token)).body);
    expect(audit.entries.slice(0, 2).map((e) => [e.action, e.target])).toEqual([
      ['node:drain', 'im-2'],
      ['node:drain', 'im-2'],
    ]);
  });
});
