import { describe, expect, it } from '@jest/globals';
import type { AdminUser, AuditEntry } from '@parley/protocol';
import { INITIAL_CONSOLE, actionConsequence, describeOutcome, reduceConsole, type ConsoleAction, type ConsoleState } from './console-state';
import { fleet, node } from './test-fleet';

const bob: AdminUser = { id: 'u2', username: 'bob', displayName: 'Bob', admin: false, suspendedAt: null, createdAt: 1 };
const entry = (id: string): AuditEntry => ({ id, at: 1, actorId: 'u1', actorUsername: 'root', action: 'node:drain', target: 'im-1', detail: '', gatewayId: 'gw-1' });
const run = (state: ConsoleState, ...actions: ConsoleAction[]) => actions.reduce(reduceConsole, state);

describe('console view state', () => {
  it('opens to operators only once the admin API answered the fleet, and draws it', () => {
    expect(INITIAL_CONSOLE.access).toBe('checking');
    const state = run(INITIAL_CONSOLE, { type: 'fleet/polled', fleet: fleet(2_000, [node('im-1', { sockets: 3 })]), receivedAt: 2_000 });
    expect(state.access).toBe('operator');
    expect(state.history.series.get('im-1')?.sockets).toEqual([3]);
  });

  it('forgets everything it showed when the API refuses (a role taken away mid-session)', () => {
    const shown = run(INITIAL_CONSOLE, { type: 'fleet/polled', fleet: fleet(2_000, [node('im-1')]), receivedAt: 2_000 }, { type: 'search/started', query: 'bob' });
    const refused = reduceConsole(shown, { type: 'access/refused' });
    expect(refused.access).toBe('refused');
    expect(refused.fleet).toBeUndefined();
    expect(refused.history.times).toEqual([]);
    expect(refused.search.query).toBe('');
  });

  it('says a poll failed but keeps the last fleet, and clears the warning on the next answer', () => {
    const polled = run(INITIAL_CONSOLE, { type: 'fleet/polled', fleet: fleet(2_000, [node('im-1')]), receivedAt: 2_000 });
    const failed = reduceConsole(polled, { type: 'fleet/failed', error: 'unreachable' });
    expect(failed.pollError).toBe('unreachable');
    expect(failed.fleet).toBe(polled.fleet);
    expect(reduceConsole(failed, { type: 'fleet/polled', fleet: fleet(4_000, [node('im-1')]), receivedAt: 4_000 }).pollError).toBeUndefined();
  });

  it('drops a search answer for a query typed over since', () => {
    const typed = run(INITIAL_CONSOLE, { type: 'search/started', query: 'bo' }, { type: 'search/started', query: 'bob' });
    expect(reduceConsole(typed, { type: 'search/answered', query: 'bo', users: [] })).toBe(typed);
    const answered = reduceConsole(typed, { type: 'search/answered', query: 'bob', users: [bob] });
    expect(answered.search).toEqual({ query: 'bob', users: [bob], searched: true });
  });

  it('runs an action only after it was confirmed, one at a time, and shows the user as the server now has them', () => {
    const asked = reduceConsole({ ...INITIAL_CONSOLE, search: { query: 'bob', users: [bob], searched: true } }, { type: 'action/asked', action: { kind: 'suspend', user: bob } });
    expect(asked.confirming?.kind).toBe('suspend');
    expect(asked.running).toBeUndefined();
    const started = reduceConsole(asked, { type: 'action/started' });
    expect(started.running?.kind).toBe('suspend');
    expect(started.confirming).toBeUndefined();
    // While one runs, another is not even asked.
    expect(reduceConsole(started, { type: 'action/asked', action: { kind: 'drain', nodeId: 'im-1' } })).toBe(started);
    const suspended = { ...bob, suspendedAt: 99 };
    const done = reduceConsole(started, { type: 'action/done', outcome: { tone: 'ok', text: 'done' }, user: suspended });
    expect(done.running).toBeUndefined();
    expect(done.outcome).toEqual({ tone: 'ok', text: 'done' });
    expect(done.search.users).toEqual([suspended]);
  });

  it('counts notices posted (the form starts blank again), not other actions nor failures', () => {
    const notice = { kind: 'notice', text: 'hi', level: 'info' } as const;
    const posted = run(INITIAL_CONSOLE, { type: 'action/asked', action: notice }, { type: 'action/started' }, { type: 'action/done', outcome: { tone: 'ok', text: 'ok' } });
    expect(posted.noticesPosted).toBe(1);
    const failed = run(posted, { type: 'action/asked', action: notice }, { type: 'action/started' }, { type: 'action/failed', error: 'no' });
    expect(failed.noticesPosted).toBe(1);
    const drained = run(posted, { type: 'action/asked', action: { kind: 'drain', nodeId: 'im-1' } }, { type: 'action/started' }, { type: 'action/done', outcome: { tone: 'ok', text: 'ok' } });
    expect(drained.noticesPosted).toBe(1);
  });

  it('does nothing on confirm or cancel when nothing waits for confirmation', () => {
    expect(reduceConsole(INITIAL_CONSOLE, { type: 'action/started' })).toBe(INITIAL_CONSOLE);
    expect(reduceConsole(INITIAL_CONSOLE, { type: 'action/cancelled' })).toBe(INITIAL_CONSOLE);
  });

  it('pages the audit log: the newest page replaces, an older page appends without repeating an entry', () => {
    const first = run(INITIAL_CONSOLE, { type: 'audit/loading' }, { type: 'audit/loaded', page: { entries: [entry('3'), entry('2')], next: '2' }, append: false });
    expect(first.audit).toEqual({ entries: [entry('3'), entry('2')], next: '2', loading: false });
    const more = reduceConsole(first, { type: 'audit/loaded', page: { entries: [entry('2'), entry('1')] }, append: true });
    expect(more.audit.entries.map((e) => e.id)).toEqual(['3', '2', '1']);
    expect(more.audit.next).toBeUndefined();
    expect(reduceConsole(more, { type: 'audit/loaded', page: { entries: [entry('4')], next: '4' }, append: false }).audit.entries.map((e) => e.id)).toEqual(['4']);
  });
});

describe('what actions say', () => {
  it('says before a suspension that sessions end everywhere and sign-in is refused', () => {
    expect(actionConsequence({ kind: 'suspend', user: bob })).toMatch(/session of @bob ends at once, on every node.*sign-in is refused/);
  });

  it('counts the sessions ended, and says a drain the node did not take is not a success', () => {
    expect(describeOutcome({ kind: 'disconnect', user: bob }, { sessionsEnded: 1 })).toEqual({ tone: 'ok', text: 'Disconnected @bob: 1 session ended.' });
    expect(describeOutcome({ kind: 'suspend', user: bob }, { sessionsEnded: 3 }).text).toBe('Suspended @bob: 3 sessions ended; sign-in is refused until lifted.');
    expect(describeOutcome({ kind: 'drain', nodeId: 'im-2' }, { accepted: true })).toEqual({ tone: 'ok', text: 'Node im-2 is draining: its users move to the other nodes.' });
    expect(describeOutcome({ kind: 'drain', nodeId: 'im-2' }, { accepted: false }).tone).toBe('error');
    expect(describeOutcome({ kind: 'notice', text: 'hi', level: 'info' }, { nodes: ['im-1', 'im-2'] }).text).toBe('Notice posted to 2 nodes: everyone online sees it.');
  });
});
