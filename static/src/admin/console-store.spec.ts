import { describe, expect, it } from '@jest/globals';
import { ParleyError, type AdminUser, type AuditPage, type Fleet } from '@parley/protocol';
import { AdminApi } from './admin-api';
import { ConsoleStore } from './console-store';
import { fleet, node } from './test-fleet';

const bob: AdminUser = { id: 'u2', username: 'bob', displayName: 'Bob', admin: false, suspendedAt: null, createdAt: 1 };
const EMPTY_AUDIT: AuditPage = { entries: [] };

type Answer = unknown | (() => unknown);

/**
 * A console over a gateway that answers each "METHOD path" as `answers` says
 * (an error is thrown, a function is called each time); the poll timer is
 * the test's to fire, and each fired poll is answered 2 s after the last on
 * the browser's clock.
 */
function consoleWith(answers: Record<string, Answer>, options: { pollEveryMs?: number } = {}) {
  const calls: { method: string; path: string; body?: unknown }[] = [];
  const api = new AdminApi(async (method, path, body) => {
    calls.push({ method, path, body });
    const key = `${method} ${path.split('?')[0] ?? path}`;
    if (!(key in answers)) throw new ParleyError('NOT_FOUND', `no answer for ${key}`);
    const answer = answers[key];
    const value = typeof answer === 'function' ? (answer as () => unknown)() : answer;
    if (value instanceof Error) throw value;
    return value;
  });
  const timers: (() => void)[] = [];
  const sessionOver: string[] = [];
  const pollEveryMs = options.pollEveryMs ?? 2_000;
  let browserNow = 1_000_000;
  const store = new ConsoleStore(api, {
    onSessionOver: () => sessionOver.push('over'),
    timers: { set: (run) => timers.push(run), clear: () => undefined },
    now: () => browserNow,
    pollEveryMs,
  });
  /** Runs the poll planned last (as its timer would, `pollEveryMs` later). */
  const tick = async () => {
    const run = timers.pop();
    browserNow += pollEveryMs;
    if (run) run();
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { store, calls, timers, tick, sessionOver };
}

/** A fleet whose im-1 has sent 20 more messages every 2 s. */
function growingFleet(): () => Fleet {
  let i = 0;
  return () => {
    const at = ++i * 2_000;
    return fleet(at, [node('im-1', { sockets: 2, messagesAccepted: i * 20, reportedAt: at })]);
  };
}

describe('ConsoleStore', () => {
  it('refuses a non-operator: FORBIDDEN from the API closes the console and stops polling', async () => {
    const { store, timers } = consoleWith({ 'GET /api/admin/fleet': new ParleyError('FORBIDDEN', 'not an operator') });
    await store.start();
    expect(store.state.access).toBe('refused');
    expect(timers).toHaveLength(0);
  });

  it('polls every 2 s once allowed, loads the audit log, and computes rates from successive totals', async () => {
    const { store, calls, tick } = consoleWith({ 'GET /api/admin/fleet': growingFleet(), 'GET /api/admin/audit': EMPTY_AUDIT });
    await store.start();
    expect(store.state.access).toBe('operator');
    expect(calls.map((c) => c.path)).toEqual(['/api/admin/fleet', '/api/admin/audit?limit=20']);
    await tick();
    await tick();
    expect(store.state.history.times).toHaveLength(3);
    expect(store.state.history.latest.get('im-1')?.rates?.messagesAccepted).toBe(10);
  });

  it("times samples by the browser's clock, whichever gateway answered, and shows which one did", async () => {
    let i = 0;
    // Answers alternate between gw-1 (on time) and gw-2, whose clock is a minute behind.
    const answer = () => {
      i++;
      const f = fleet(1_000_000 + i * 2_000 - (i % 2 === 0 ? 60_000 : 0), [node('im-1', { messagesAccepted: i * 20, reportedAt: i * 2_000 })]);
      return { ...f, gateways: [{ gatewayId: i % 2 === 0 ? 'gw-2' : 'gw-1', self: true, nodes: ['im-1'] }] };
    };
    const { store, tick } = consoleWith({ 'GET /api/admin/fleet': answer, 'GET /api/admin/audit': EMPTY_AUDIT });
    await store.start();
    await tick();
    expect(store.state.fleet?.gateways.find((g) => g.self)?.gatewayId).toBe('gw-2');
    await tick();
    await tick();
    expect(store.state.history.times).toEqual([1_000, 1_002, 1_004, 1_006]);
    expect(store.state.history.series.get('im-1')?.messagesAccepted).toEqual([null, 10, 10, 10]);
  });

  it('clears the rates of a node silent for two of its polls, at the interval it polls at', async () => {
    let reportedAt = 2_000;
    const answer = () => fleet(0, [node('im-1', { messagesAccepted: reportedAt / 100, reportedAt })]);
    // Polling every 5 s: a report unchanged for one poll is not silence (at 2 s polls it would be, after 4 s).
    const { store, tick } = consoleWith({ 'GET /api/admin/fleet': answer, 'GET /api/admin/audit': EMPTY_AUDIT }, { pollEveryMs: 5_000 });
    await store.start();
    reportedAt = 4_000;
    await tick();
    await tick();
    expect(store.state.history.latest.get('im-1')).toMatchObject({ silent: false, rates: { messagesAccepted: 10 } });
    await tick();
    await tick();
    expect(store.state.history.latest.get('im-1')).toMatchObject({ silent: true, rates: undefined });
    expect(store.state.history.series.get('im-1')?.messagesAccepted).toEqual([null, 10, 10, 10, null]);
  });

  it('keeps polling after a failed poll, saying why, and signs out when the session is over', async () => {
    let answer: unknown = new ParleyError('UNAVAILABLE', 'gateway unreachable');
    const { store, tick, sessionOver, timers } = consoleWith({ 'GET /api/admin/fleet': () => answer, 'GET /api/admin/audit': EMPTY_AUDIT });
    await store.start();
    expect(store.state.pollError).toMatch(/did not answer/);
    expect(timers).toHaveLength(1);
    answer = new ParleyError('UNAUTHORIZED', 'session ended');
    await tick();
    expect(sessionOver).toEqual(['over']);
    expect(timers).toHaveLength(0);
  });

  it('sends nothing until the operator confirms, then the action with its reason, then reloads fleet and audit', async () => {
    const suspended = { ...bob, suspendedAt: 5 };
    const { store, calls } = consoleWith({
      'GET /api/admin/fleet': growingFleet(),
      'GET /api/admin/audit': EMPTY_AUDIT,
      'GET /api/admin/users': { users: [bob] },
      'POST /api/admin/users/u2/suspend': { user: suspended, sessionsEnded: 2 },
    });
    await store.start();
    await store.search('  bob ');
    expect(calls.at(-1)?.path).toBe('/api/admin/users?q=bob&limit=20');
    store.ask({ kind: 'suspend', user: bob });
    const before = calls.length;
    store.cancel();
    await store.confirm('spam');
    expect(calls.length).toBe(before);
    store.ask({ kind: 'suspend', user: bob });
    await store.confirm('  spam  ');
    expect(calls.slice(before).map((c) => `${c.method} ${c.path}`)).toEqual(['POST /api/admin/users/u2/suspend', 'GET /api/admin/fleet', 'GET /api/admin/audit?limit=20']);
    expect(calls[before]?.body).toEqual({ reason: 'spam' });
    expect(store.state.outcome).toEqual({ tone: 'ok', text: 'Suspended @bob: 2 sessions ended; sign-in is refused until lifted.' });
    expect(store.state.search.users).toEqual([suspended]);
  });

  it('sends a confirmed action once, however often confirm is pressed', async () => {
    const { store, calls } = consoleWith({
      'GET /api/admin/fleet': growingFleet(),
      'GET /api/admin/audit': EMPTY_AUDIT,
      'POST /api/admin/nodes/im-1/drain': { nodeId: 'im-1', accepted: true },
    });
    await store.start();
    store.ask({ kind: 'drain', nodeId: 'im-1' });
    await Promise.all(Array.from({ length: 50 }, () => store.confirm()));
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);
  });

  it('says how long to wait when the admin API limits the rate, and keeps the console open', async () => {
    const { store } = consoleWith({
      'GET /api/admin/fleet': growingFleet(),
      'GET /api/admin/audit': EMPTY_AUDIT,
      'POST /api/admin/nodes/im-1/drain': new ParleyError('RATE_LIMITED', 'slow down', { retryAfterMs: 4_200 }),
    });
    await store.start();
    store.ask({ kind: 'drain', nodeId: 'im-1' });
    await store.confirm();
    expect(store.state.outcome).toEqual({ tone: 'error', text: 'Too many admin actions. Try again in 5 s.' });
    expect(store.state.access).toBe('operator');
    expect(store.state.running).toBeUndefined();
  });

  it('escapes ids in paths and sends a notice as typed, with its level', async () => {
    const { store, calls } = consoleWith({
      'GET /api/admin/fleet': growingFleet(),
      'GET /api/admin/audit': EMPTY_AUDIT,
      'POST /api/admin/nodes/im%2F..%2F1/drain': { nodeId: 'im/../1', accepted: true },
      'POST /api/admin/notices': { notice: { id: 'n1', text: 'Back soon', level: 'warning', at: 1 }, nodes: ['im-1'] },
    });
    await store.start();
    store.ask({ kind: 'drain', nodeId: 'im/../1' });
    await store.confirm();
    expect(store.state.outcome?.tone).toBe('ok');
    store.ask({ kind: 'notice', text: 'Back soon', level: 'warning' });
    await store.confirm();
    expect(calls.find((c) => c.path === '/api/admin/notices')?.body).toEqual({ text: 'Back soon', level: 'warning' });
    expect(store.state.outcome?.text).toBe('Notice posted to 1 node: everyone online sees it.');
  });

  it('pages the audit log back with the cursor the last page gave, and stops when there is none', async () => {
    const entry = (id: string) => ({ id, at: 1, actorId: 'u1', actorUsername: 'root', action: 'notice:post', target: 'n', detail: '', gatewayId: 'gw-1' });
    const { store, calls } = consoleWith({
      'GET /api/admin/fleet': growingFleet(),
      'GET /api/admin/audit': () => (calls.at(-1)?.path.includes('before=') ? { entries: [entry('1')] } : { entries: [entry('3'), entry('2')], next: '2' }),
    });
    await store.start();
    await store.loadAudit(true);
    expect(calls.at(-1)?.path).toBe('/api/admin/audit?limit=20&before=2');
    expect(store.state.audit.entries.map((e) => e.id)).toEqual(['3', '2', '1']);
    const asked = calls.length;
    await store.loadAudit(true);
    expect(calls.length).toBe(asked);
  });

  it('refuses an answer of an unknown shape instead of drawing it', async () => {
    const { store } = consoleWith({ 'GET /api/admin/fleet': { nodes: 'lots' } });
    await store.start();
    expect(store.state.access).toBe('checking');
    expect(store.state.pollError).toMatch(/shape this console does not know/);
  });
});
