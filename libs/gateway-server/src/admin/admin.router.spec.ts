import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { AuditRecord, Store, UserRecord, VerifiedToken } from '@parley/domain';
import { MemoryThrottleFactory } from '@parley/limits';
import {
  ParleyError,
  auditPageSchema,
  drainResultSchema,
  fleetSchema,
  postNoticeResultSchema,
  userActionResultSchema,
  type AdminCommand,
} from '@parley/protocol';
import { silentLogger } from '@parley/util';
import { createHttpApp, type HttpAppDeps } from '../http/http-app';
import { ADMIN_OPERATIONS } from '../http/rest-operations';
import { testGatewayMetrics } from '../testing/gateway-metrics';
import { createAdminService } from './create-admin';

type RelayCommand = { id: string; kind: string; payload: Uint8Array };

const NOW = 1_800_000_000_000;

function user(id: string, over: Partial<UserRecord> = {}): UserRecord {
  return { id, username: id, displayName: id, avatarUrl: null, bio: null, passwordHash: 'h', dmPolicy: 'friends', groupInvites: 'friends', createdAt: 1, deletedAt: null, suspendedAt: null, admin: false, previews: false, dnd: null, ...over };
}

/** The slices of the store the admin API uses, in memory. */
function fakeStore() {
  const users = new Map([user('root'), user('ann'), user('bob')].map((u) => [u.id, u]));
  const sessions = new Map([['s-ann', 'ann']]);
  const audit: AuditRecord[] = [];
  const found = (id: string): UserRecord => {
    const u = users.get(id);
    if (!u) throw new ParleyError('NOT_FOUND', 'user not found');
    return u;
  };
  const revoke = (userId: string): string[] => {
    const ids = [...sessions].filter(([, owner]) => owner === userId).map(([id]) => id);
    for (const id of ids) sessions.delete(id);
    return ids;
  };
  const store = {
    getUser: async (id: string) => users.get(id) ?? null,
    getUsers: async (ids: readonly string[]) => ids.flatMap((id) => users.get(id) ?? []),
    searchUsers: async (q: string) => [...users.values()].filter((u) => u.username.includes(q)),
    revokeUserAuthSessions: async (userId: string) => revoke(userId),
    suspendUser: async (userId: string, at: number) => {
      users.set(userId, { ...found(userId), suspendedAt: found(userId).suspendedAt ?? at });
      return { user: found(userId), sessionIds: revoke(userId) };
    },
    unsuspendUser: async (userId: string) => {
      users.set(userId, { ...found(userId), suspendedAt: null });
      return found(userId);
    },
    appendAudit: async (entry: AuditRecord) => void audit.push(entry),
    listAudit: async (limit: number) => [...audit].reverse().slice(0, limit),
  };
  return { store: store as unknown as Store, users, audit };
}

describe('the admin REST API (/api/admin)', () => {
  let server: Server;
  let base: string;
  let state: ReturnType<typeof fakeStore>;
  let sent: { target: string; command: AdminCommand }[];
  let metrics: HttpAppDeps['metrics'];

  beforeEach(async () => {
    state = fakeStore();
    sent = [];
    const m = testGatewayMetrics('gw-1');
    metrics = m.metrics;
    const connected = ['im-1', 'im-2'];
    const write = (target: string, command: RelayCommand): string => {
      sent.push({ target, command: { id: command.id, kind: command.kind, payload: JSON.parse(Buffer.from(command.payload).toString()) } as AdminCommand });
      return target;
    };
    const relay = {
      nodeReports: () => [
        {
          nodeId: 'im-1',
          connected: true,
          receivedAt: NOW,
          stats: { sockets: 2, users: 1, messagesAccepted: 0, deliveries: 0, relayFramesIn: 0, relayFramesOut: 0, outboxDepth: 0, ready: true, draining: false, gateways: ['gw-1'], startedAt: 1, at: 2, url: 'http://im-1' },
        },
      ],
      connectedNodes: () => connected,
      sendAdmin: (target: { node: string }, command: RelayCommand) => (connected.includes(target.node) ? [write(target.node, command)] : []),
      broadcastAdmin: (command: RelayCommand) => connected.map((node) => write(node, command)),
    };
    const admin = createAdminService({
      gatewayId: 'gw-1',
      store: state.store,
      relay,
      sessionEnds: { sessionsEnded: async () => undefined },
      throttles: new MemoryThrottleFactory(),
      adminUsernames: ['root'],
      metrics,
      clock: { now: () => NOW },
      ids: { next: (() => { let n = 0; return () => `id${String(++n).padStart(4, '0')}`; })() },
      logger: silentLogger,
    });
    // A bearer token here is the user id: the sessions service is not what is under test.
    const sessions = {
      authenticate: async (token: string): Promise<VerifiedToken> => {
        if (!state.users.has(token)) throw new ParleyError('UNAUTHORIZED', 'bad token');
        return { userId: token, username: token, sessionId: `s-${token}`, expiresAt: NOW + 60_000 };
      },
    };
    const app = createHttpApp({
      ...m,
      admin,
      accounts: {} as HttpAppDeps['accounts'],
      sessions: sessions as unknown as HttpAppDeps['sessions'],
      assigner: {} as HttpAppDeps['assigner'],
      directory: { healthyNodes: () => [] } as unknown as HttpAppDeps['directory'],
      logger: silentLogger,
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const call = async (method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  /** Each documented admin operation with real path parameters and a valid body. */
  const concrete = ADMIN_OPERATIONS.map((op) => ({
    method: op.method.toUpperCase(),
    path: op.path.replace('{userId}', 'bob').replace('{nodeId}', 'im-1') + (op.query ? '?q=b' : ''),
    body: op.path.endsWith('/notices') ? { text: 'hello' } : op.body ? {} : undefined,
  }));

  it('answers 401 without a token and 403 FORBIDDEN to a normal user on every admin route, changing nothing', async () => {
    expect(concrete).toHaveLength(8);
    for (const op of concrete) {
      expect({ op: op.path, ...(await call(op.method, op.path, undefined, op.body)) }).toMatchObject({ op: op.path, status: 401, body: { code: 'UNAUTHORIZED' } });
      expect({ op: op.path, ...(await call(op.method, op.path, 'ann', op.body)) }).toMatchObject({ op: op.path, status: 403, body: { code: 'FORBIDDEN' } });
      // Bad input too: authorization comes first, so a normal user learns nothing from validation.
      expect((await call(op.method, op.path.replace('bob', 'x'.repeat(500)), 'ann', op.method === 'GET' ? undefined : { junk: true })).status).toBe(403);
    }
    expect(state.audit).toEqual([]);
    expect(sent).toEqual([]);
    expect(state.users.get('bob')?.suspendedAt).toBeNull();
    const text = (await metrics.text()).body;
    expect(text).toMatch(/parley_admin_actions_total\{gateway="gw-1",action="user:suspend",outcome="forbidden"\} 2/);
  });

  it('answers /access to any signed-in user (401 without a token), never 403, not audited, not counted', async () => {
    expect(await call('GET', '/api/admin/access')).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
    expect(await call('GET', '/api/admin/access', 'ann')).toEqual({ status: 200, body: { admin: false } });
    expect(await call('GET', '/api/admin/access', 'root')).toEqual({ status: 200, body: { admin: true } });
    // A suspended admin is not one; an admin by the store's role is.
    state.users.set('root', { ...user('root'), suspendedAt: NOW });
    state.users.set('bob', { ...user('bob'), admin: true });
    expect((await call('GET', '/api/admin/access', 'root')).body).toEqual({ admin: false });
    expect((await call('GET', '/api/admin/access', 'bob')).body).toEqual({ admin: true });
    // A thousand asks at once from a normal user: all answered, none refused.
    const many = await Promise.all(Array.from({ length: 1_000 }, () => call('GET', '/api/admin/access', 'ann')));
    expect(new Set(many.map((r) => `${r.status} ${JSON.stringify(r.body)}`))).toEqual(new Set(['200 {"admin":false}']));
    expect(state.audit).toEqual([]);
    expect((await metrics.text()).body).not.toMatch(/parley_admin_actions_total\{/);
    // A thousand real HTTP requests: minutes on a loaded 2-core host, not a hang.
  }, 120_000);

  it('refuses bad input with 400 and changes nothing', async () => {
    const bad: [string, string, unknown][] = [
      ['POST', '/api/admin/users/bob/suspend', { reason: 'x'.repeat(201) }],
      ['POST', '/api/admin/users/bob/suspend', { unknown: 1 }],
      ['POST', `/api/admin/users/${'x'.repeat(65)}/disconnect`, {}],
      ['POST', '/api/admin/notices', { text: '' }],
      ['POST', '/api/admin/notices', { text: 'hi', level: 'panic' }],
      ['POST', '/api/admin/nodes/im-1/drain', { reason: 42 }],
      ['POST', '/api/admin/nodes/im%201/drain', {}],
      ['POST', `/api/admin/nodes/${'i'.repeat(65)}/drain`, {}],
      ['GET', '/api/admin/users', undefined],
      ['GET', '/api/admin/audit?limit=0', undefined],
    ];
    for (const [method, path, body] of bad) {
      expect({ path, ...(await call(method, path, 'root', body)) }).toMatchObject({ path, status: 400, body: { code: 'INVALID_ARGUMENT' } });
    }
    expect(state.audit).toEqual([]);
    expect(sent).toEqual([]);
    expect(state.users.get('bob')?.suspendedAt).toBeNull();
  });

  it('serves an admin: answers match the documented schemas, actions are audited, self-suspension is a 409', async () => {
    const fleet = await call('GET', '/api/admin/fleet', 'root');
    expect(fleetSchema.parse(fleet.body).nodes.map((n) => [n.nodeId, n.health, n.sockets])).toEqual([['im-1', 'ready', 2]]);
    expect((await call('GET', '/api/admin/users?q=bo', 'root')).body).toEqual({ users: [expect.objectContaining({ id: 'bob', admin: false, suspendedAt: null })] });
    const suspended = await call('POST', '/api/admin/users/bob/suspend', 'root', { reason: 'spam' });
    expect(userActionResultSchema.parse(suspended.body).user.suspendedAt).toBe(NOW);
    // A POST without a body is an empty one.
    expect((await call('POST', '/api/admin/users/bob/unsuspend', 'root')).status).toBe(200);
    expect(userActionResultSchema.parse((await call('POST', '/api/admin/users/ann/disconnect', 'root', {})).body).sessionsEnded).toBe(1);
    expect(drainResultSchema.parse((await call('POST', '/api/admin/nodes/im-1/drain', 'root', {})).body)).toEqual({ nodeId: 'im-1', accepted: true });
    expect(await call('POST', '/api/admin/nodes/im-9/drain', 'root', {})).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    const notice = await call('POST', '/api/admin/notices', 'root', { text: 'maintenance', level: 'warning' });
    expect(notice.status).toBe(201);
    expect(postNoticeResultSchema.parse(notice.body).nodes).toEqual(['im-1', 'im-2']);
    expect(await call('POST', '/api/admin/users/root/suspend', 'root', {})).toMatchObject({ status: 409, body: { code: 'CONFLICT', detail: 'you cannot suspend yourself' } });
    const audit = auditPageSchema.parse((await call('GET', '/api/admin/audit?limit=10', 'root')).body);
    expect(audit.entries.map((e) => [e.action, e.target, e.actorUsername, e.gatewayId])).toEqual([
      ['notice:post', expect.any(String), 'root', 'gw-1'],
      ['node:drain', 'im-1', 'root', 'gw-1'],
      ['user:disconnect', 'ann', 'root', 'gw-1'],
      ['user:unsuspend', 'bob', 'root', 'gw-1'],
      ['user:suspend', 'bob', 'root', 'gw-1'],
    ]);
    expect(sent.map((s) => [s.target, s.command.kind])).toEqual([
      ['im-1', 'drain'],
      ['im-1', 'notice'],
      ['im-2', 'notice'],
    ]);
  });

  it("drains no node for 'all' (404): no id means every node", async () => {
    for (const id of ['all', 'ALL', '*']) {
      expect({ id, ...(await call('POST', `/api/admin/nodes/${encodeURIComponent(id)}/drain`, 'root', {})) }).toMatchObject({ id, status: id === '*' ? 400 : 404 });
    }
    expect(sent).toEqual([]);
    expect(state.audit).toEqual([]);
  });

  it('limits notices per admin: two hundred at once give 10 and then 429 with Retry-After', async () => {
    const answers = await Promise.all(
      Array.from({ length: 200 }, () => fetch(`${base}/api/admin/notices`, { method: 'POST', headers: { authorization: 'Bearer root', 'content-type': 'application/json' }, body: '{"text":"x"}' })),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(190);
    const limited = answers.find((r) => r.status === 429);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(sent).toHaveLength(20); // 10 notices, each to both nodes
  });
});
