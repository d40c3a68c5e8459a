import { ParleyError, type AdminCommand, type SessionEndReason } from '@parley/protocol';
import type { AuditRecord, Throttle, ThrottleFactory, UserRecord } from '../ports';
import { sequenceIds } from '../testing';
import { AdminService, type AdminOutcome, type AdminRouteName } from './admin-service';
import type { NodeStatsRow } from './fleet-control';

const NOW = 1_800_000_000_000;

function user(id: string, over: Partial<UserRecord> = {}): UserRecord {
  return {
    id,
    username: id,
    displayName: id.toUpperCase(),
    avatarUrl: null,
    bio: null,
    passwordHash: 'h',
    dmPolicy: 'friends',
    groupInvites: 'friends',
    previews: false,
    dnd: null,
    createdAt: 1,
    deletedAt: null,
    suspendedAt: null,
    admin: false,
    ...over,
  };
}

/** A fixed-window counter in memory, like the engines' contract. */
function memoryThrottles(now: () => number): ThrottleFactory {
  return {
    create: (spec): Throttle => {
      const keys = new Map<string, { used: number; until: number }>();
      return {
        consume: async (key, points = 1) => {
          let row = keys.get(key);
          if (!row || row.until <= now()) keys.set(key, (row = { used: 0, until: now() + spec.durationSec * 1000 }));
          if (row.used + points > spec.points) return { ok: false, consumed: row.used, retryAfterMs: row.until - now() };
          row.used += points;
          return { ok: true, consumed: row.used };
        },
        refund: async (key, points = 1) => {
          const row = keys.get(key);
          if (row) row.used = Math.max(0, row.used - points);
        },
        peek: async (key) => keys.get(key)?.used ?? 0,
        reset: async (key) => void keys.delete(key),
      };
    },
  };
}

function setup(options: { adminUsernames?: string[]; reports?: NodeStatsRow[]; connected?: string[] } = {}) {
  let now = NOW;
  const users = new Map<string, UserRecord>(
    [user('root'), user('stored', { admin: true }), user('ann'), user('bob'), user('gone', { deletedAt: 5 })].map((u) => [u.id, u]),
  );
  const sessions = new Map<string, { userId: string; revoked: boolean }>([
    ['s1', { userId: 'ann', revoked: false }],
    ['s2', { userId: 'ann', revoked: false }],
    ['s3', { userId: 'bob', revoked: false }],
  ]);
  const audit: AuditRecord[] = [];
  const ended: { userId: string; sessionIds: readonly string[]; reason: SessionEndReason }[] = [];
  const sent: { target: string; command: AdminCommand }[] = [];
  const outcomes: [AdminRouteName, AdminOutcome][] = [];
  const connected = options.connected ?? ['im-1', 'im-2'];
  const revoke = (userId: string): string[] => {
    const ids = [...sessions].filter(([, s]) => s.userId === userId && !s.revoked).map(([id]) => id);
    for (const id of ids) (sessions.get(id) as { revoked: boolean }).revoked = true;
    return ids;
  };
  const must = (id: string): UserRecord => {
    const u = users.get(id);
    if (!u || u.deletedAt !== null) throw new ParleyError('NOT_FOUND', 'user not found');
    return u;
  };
  const store = {
    getUser: async (id: string) => users.get(id) ?? null,
    getUsers: async (ids: readonly string[]) => ids.flatMap((id) => users.get(id) ?? []),
    searchUsers: async (q: string, limit: number) => [...users.values()].filter((u) => u.deletedAt === null && u.username.includes(q)).slice(0, limit),
    revokeUserAuthSessions: async (userId: string) => revoke(userId),
    suspendUser: async (userId: string, at: number) => {
      const u = must(userId);
      if (u.suspendedAt === null) users.set(userId, { ...u, suspendedAt: at });
      return { user: must(userId), sessionIds: revoke(userId) };
    },
    unsuspendUser: async (userId: string) => {
      users.set(userId, { ...must(userId), suspendedAt: null });
      return must(userId);
    },
    setUserAdmin: async (userId: string, admin: boolean) => {
      users.set(userId, { ...must(userId), admin });
      return must(userId);
    },
    appendAudit: async (entry: AuditRecord) => void audit.push(entry),
    listAudit: async (limit: number, before?: string) =>
      [...audit]
        .reverse()
        .filter((e) => before === undefined || e.id < before)
        .slice(0, limit),
  };
  const admin = new AdminService({
    store,
    sessionEnds: { sessionsEnded: async (userId, sessionIds, reason) => void ended.push({ userId, sessionIds, reason }) },
    fleet: {
      gatewayId: 'gw-1',
      nodeReports: () => options.reports ?? [],
      connectedNodes: () => connected,
      sendAdmin: ({ node }, command) => {
        const nodes = connected.filter((n) => n === node);
        for (const n of nodes) sent.push({ target: n, command });
        return nodes;
      },
      broadcastAdmin: (command) => {
        for (const n of connected) sent.push({ target: n, command });
        return [...connected];
      },
    },
    throttles: memoryThrottles(() => now),
    clock: { now: () => now },
    ids: sequenceIds('a'),
    adminUsernames: options.adminUsernames ?? [' ROOT ', ''],
    onOutcome: (route, outcome) => void outcomes.push([route, outcome]),
  });
  return { admin, users, sessions, audit, ended, sent, outcomes, store, advance: (ms: number) => void (now += ms) };
}

const codeOf = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'ok',
    (err: unknown) => (err instanceof ParleyError ? err.code : String(err)),
  );

describe('AdminService authorization', () => {
  it('admits users named in PARLEY_ADMIN_USERS (any case) and users with the store role; refuses everyone else, counted', async () => {
    const { admin, outcomes } = setup();
    await expect(admin.authorize('root', 'fleet:read')).resolves.toEqual({ userId: 'root', username: 'root' });
    await expect(admin.authorize('stored', 'fleet:read')).resolves.toEqual({ userId: 'stored', username: 'stored' });
    expect(await codeOf(admin.authorize('ann', 'user:suspend'))).toBe('FORBIDDEN');
    expect(await codeOf(admin.authorize('nobody', 'audit:read'))).toBe('FORBIDDEN');
    expect(await codeOf(admin.authorize('gone', 'audit:read'))).toBe('FORBIDDEN');
    expect(outcomes).toEqual([
      ['user:suspend', 'forbidden'],
      ['audit:read', 'forbidden'],
      ['audit:read', 'forbidden'],
    ]);
  });

  it('reads the role fresh on each request: a removed or suspended admin loses access at once', async () => {
    const { admin, store } = setup();
    await admin.authorize('stored', 'fleet:read');
    await store.setUserAdmin('stored', false);
    expect(await codeOf(admin.authorize('stored', 'fleet:read'))).toBe('FORBIDDEN');
    await store.suspendUser('root', NOW);
    expect(await codeOf(admin.authorize('root', 'fleet:read'))).toBe('FORBIDDEN');
  });

  it('marks configured and stored admins in user views', async () => {
    const { admin } = setup();
    const { users } = await admin.searchUsers('o', 10);
    expect(users.map((u) => [u.username, u.admin])).toEqual([
      ['root', true],
      ['stored', true],
      ['bob', false],
    ]);
    // An exact id finds the user first, whatever the name search says.
    expect((await admin.searchUsers('ann', 1)).users.map((u) => u.id)).toEqual(['ann']);
  });
});

describe('AdminService actions', () => {
  const root = { userId: 'root', username: 'root' };

  it('disconnect revokes every session (reason disconnected), ends their sockets and writes the audit log; twice ends none', async () => {
    const { admin, ended, audit, sessions } = setup();
    await expect(admin.disconnect(root, 'ann', 'testing')).resolves.toMatchObject({ user: { id: 'ann', suspendedAt: null }, sessionsEnded: 2 });
    expect(ended).toEqual([{ userId: 'ann', sessionIds: ['s1', 's2'], reason: 'disconnected' }]);
    expect(sessions.get('s3')?.revoked).toBe(false);
    await expect(admin.disconnect(root, 'ann')).resolves.toMatchObject({ sessionsEnded: 0 });
    expect(ended).toHaveLength(1);
    expect(audit.map((e) => [e.actorId, e.action, e.target, e.gatewayId])).toEqual([
      ['root', 'user:disconnect', 'ann', 'gw-1'],
      ['root', 'user:disconnect', 'ann', 'gw-1'],
    ]);
    expect(audit[0]?.detail).toBe('ann: every session ends; reason: testing');
    expect(audit[0]?.at).toBe(NOW);
  });

  it('suspend ends sessions with reason suspended and is idempotent; unsuspend lifts it; all audited', async () => {
    const { admin, ended, audit, users } = setup();
    await expect(admin.suspend(root, 'ann')).resolves.toMatchObject({ user: { suspendedAt: NOW }, sessionsEnded: 2 });
    await expect(admin.suspend(root, 'ann')).resolves.toMatchObject({ user: { suspendedAt: NOW }, sessionsEnded: 0 });
    expect(ended).toEqual([{ userId: 'ann', sessionIds: ['s1', 's2'], reason: 'suspended' }]);
    await expect(admin.unsuspend(root, 'ann')).resolves.toMatchObject({ user: { suspendedAt: null }, sessionsEnded: 0 });
    expect(users.get('ann')?.suspendedAt).toBeNull();
    expect(audit.map((e) => `${e.action} ${e.detail}`)).toEqual([
      'user:suspend ann: every session ends',
      'user:suspend ann (already suspended): every session ends',
      'user:unsuspend ann',
    ]);
  });

  it('an admin cannot suspend themselves; an unknown or deleted user is NOT_FOUND; nothing is changed or audited', async () => {
    const { admin, audit, users, ended } = setup();
    expect(await codeOf(admin.suspend(root, 'root'))).toBe('CONFLICT');
    expect(users.get('root')?.suspendedAt).toBeNull();
    expect(await codeOf(admin.suspend(root, 'nobody'))).toBe('NOT_FOUND');
    expect(await codeOf(admin.disconnect(root, 'gone'))).toBe('NOT_FOUND');
    expect(await codeOf(admin.unsuspend(root, 'nobody'))).toBe('NOT_FOUND');
    expect(audit).toEqual([]);
    expect(ended).toEqual([]);
  });

  it('drain writes a drain command to that node only; an unknown node is NOT_FOUND; a second drain is accepted too', async () => {
    const { admin, sent, audit } = setup();
    await expect(admin.drain(root, 'im-2')).resolves.toEqual({ nodeId: 'im-2', accepted: true });
    await expect(admin.drain(root, 'im-2')).resolves.toEqual({ nodeId: 'im-2', accepted: true });
    expect(await codeOf(admin.drain(root, 'im-9'))).toBe('NOT_FOUND');
    expect(sent.map((s) => [s.target, s.command.kind, s.command.payload])).toEqual([
      ['im-2', 'drain', { by: 'root' }],
      ['im-2', 'drain', { by: 'root' }],
    ]);
    expect(audit.map((e) => [e.action, e.target])).toEqual([
      ['node:drain', 'im-2'],
      ['node:drain', 'im-2'],
    ]);
  });

  it("drain of 'all' (or any id no connected node has) is NOT_FOUND: nothing sent, nothing audited", async () => {
    const { admin, sent, audit } = setup();
    expect(await codeOf(admin.drain(root, 'all'))).toBe('NOT_FOUND');
    expect(await codeOf(admin.drain(root, 'ALL'))).toBe('NOT_FOUND');
    expect(sent).toEqual([]);
    expect(audit).toEqual([]);
  });

  it('writes the audit entry first: when it cannot be written, no action is carried out (UNAVAILABLE), and a refused notice is not counted', async () => {
    const { admin, store, sessions, users, sent, ended, advance } = setup();
    await store.suspendUser('bob', NOW);
    const original = store.appendAudit;
    store.appendAudit = async () => {
      throw new Error('audit table gone');
    };
    const codes = await Promise.all([admin.disconnect(root, 'ann'), admin.suspend(root, 'ann'), admin.unsuspend(root, 'bob'), admin.drain(root, 'im-1')].map(codeOf));
    // One after another, past the notice limit: each refused notice gave its point back.
    for (let i = 0; i < 12; i++) codes.push(await codeOf(admin.postNotice(root, { text: 'x', level: 'info' })));
    expect(new Set(codes)).toEqual(new Set(['UNAVAILABLE']));
    expect([...sessions.values()].filter((x) => x.revoked)).toHaveLength(1); // bob's, by the suspend before
    expect(users.get('ann')?.suspendedAt).toBeNull();
    expect(users.get('bob')?.suspendedAt).toBe(NOW);
    expect(sent).toEqual([]);
    expect(ended).toEqual([]);
    // The audit log is back: the refused notices used none of the admin's 10.
    store.appendAudit = original;
    advance(1);
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => codeOf(admin.postNotice(root, { text: 'y', level: 'info' }))));
    expect(outcomes).toEqual(Array.from({ length: 10 }, () => 'ok'));
  });

  it('posts a notice to every connected node, at most 10 per admin per minute (RATE_LIMITED with retryAfterMs), then again', async () => {
    const { admin, sent, audit, advance } = setup();
    const result = await admin.postNotice(root, { text: 'maintenance at 10', level: 'warning' });
    expect(result).toEqual({ notice: { id: expect.any(String), text: 'maintenance at 10', level: 'warning', at: NOW }, nodes: ['im-1', 'im-2'] });
    expect(sent.map((s) => s.command)).toEqual([
      { id: result.notice.id, kind: 'notice', payload: result.notice },
      { id: result.notice.id, kind: 'notice', payload: result.notice },
    ]);
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => admin.postNotice(root, { text: 'x', level: 'info' }).then(() => 'ok', (err: ParleyError) => `${err.code} ${err.retryAfterMs}`)));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(9);
    expect(outcomes.filter((o) => o === 'RATE_LIMITED 60000')).toHaveLength(41);
    // Another admin has a limit of their own.
    await expect(admin.postNotice({ userId: 'stored', username: 'stored' }, { text: 'y', level: 'info' })).resolves.toMatchObject({ nodes: ['im-1', 'im-2'] });
    expect(audit.filter((e) => e.action === 'notice:post')).toHaveLength(11);
    advance(60_000);
    await expect(admin.postNotice(root, { text: 'later', level: 'info' })).resolves.toMatchObject({ notice: { text: 'later' } });
  });

  it("cuts a notice's audit detail at 1,000 characters without halving an emoji", async () => {
    const { admin, audit } = setup();
    // 'info to 2 node(s): ' is 19 units: a UTF-16 cut at 1,000 would fall inside an emoji (and keep only 510 characters).
    await admin.postNotice(root, { text: '🚧'.repeat(1_000), level: 'info' });
    const detail = audit.at(-1)?.detail ?? '';
    expect([...detail].length).toBe(1_000);
    expect(detail.endsWith('🚧')).toBe(true);
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(detail)).toBe(false);
  });

  it('refuses a target or actor wider than its audit column with INVALID_ARGUMENT, before anything is done', async () => {
    const { admin, users, sessions, audit, ended } = setup();
    const long = 'u'.repeat(256);
    users.set(long, user(long));
    sessions.set('s9', { userId: long, revoked: false });
    expect(await codeOf(admin.disconnect(root, long))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(admin.suspend(root, long))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(admin.disconnect({ userId: 'r'.repeat(65), username: 'root' }, 'ann'))).toBe('INVALID_ARGUMENT');
    expect(audit).toEqual([]);
    expect(ended).toEqual([]);
    expect([...sessions.values()].some((x) => x.revoked)).toBe(false);
    expect(users.get(long)?.suspendedAt).toBeNull();
  });

  it('pages the audit log newest first with the actors named', async () => {
    const { admin } = setup();
    await admin.disconnect(root, 'ann');
    await admin.disconnect({ userId: 'stored', username: 'stored' }, 'bob');
    await admin.unsuspend(root, 'bob');
    const first = await admin.audit(2);
    expect(first.entries.map((e) => [e.actorUsername, e.action, e.target])).toEqual([
      ['root', 'user:unsuspend', 'bob'],
      ['stored', 'user:disconnect', 'bob'],
    ]);
    expect(first.next).toBe(first.entries[1]?.id);
    const second = await admin.audit(2, first.next);
    expect(second).toEqual({ entries: [expect.objectContaining({ actorUsername: 'root', action: 'user:disconnect', target: 'ann' })] });
  });
});

describe('AdminService fleet', () => {
  const row = (nodeId: string, over: Partial<NodeStatsRow> = {}): NodeStatsRow => ({
    nodeId,
    connected: true,
    receivedAt: NOW - 1_000,
    sockets: 4,
    users: 3,
    messagesAccepted: 10,
    deliveries: 12,
    relayFramesIn: 5,
    relayFramesOut: 6,
    outboxDepth: 0,
    ready: true,
    draining: false,
    gateways: ['gw-1', 'gw-2'],
    startedAt: 1,
    at: NOW - 1_001,
    url: `http://${nodeId}`,
    ...over,
  });

  it('gives each node its health (ready, not-ready, draining, stale after 3 missed reports or a closed stream) and the gateways the nodes report', () => {
    const reports = [
      row('im-1'),
      row('im-2', { draining: true }),
      row('im-3', { ready: false, gateways: ['gw-3'] }),
      row('im-4', { receivedAt: NOW - 6_001, gateways: ['gw-old'] }),
      row('im-5', { connected: false }),
    ];
    const fleet = setup({ reports }).admin.fleet();
    expect(fleet.at).toBe(NOW);
    expect(fleet.nodes.map((n) => [n.nodeId, n.health])).toEqual([
      ['im-1', 'ready'],
      ['im-2', 'draining'],
      ['im-3', 'not-ready'],
      ['im-4', 'stale'],
      ['im-5', 'stale'],
    ]);
    expect(fleet.nodes[0]).toMatchObject({ sockets: 4, users: 3, messagesAccepted: 10, reportedAt: NOW - 1_001, receivedAt: NOW - 1_000, url: 'http://im-1' });
    expect(fleet.gateways).toEqual([
      { gatewayId: 'gw-1', self: true, nodes: ['im-1', 'im-2'] },
      { gatewayId: 'gw-2', self: false, nodes: ['im-1', 'im-2'] },
      { gatewayId: 'gw-3', self: false, nodes: ['im-3'] },
    ]);
  });

  it('lists this gateway even with no node', () => {
    expect(setup().admin.fleet()).toEqual({ at: NOW, gateways: [{ gatewayId: 'gw-1', self: true, nodes: [] }], nodes: [] });
  });
});
