import type { AdminUser, AuditEntry, AuditPage, Fleet, NoticeLevel } from '@parley/protocol';
import { EMPTY_HISTORY, recordFleet, type FleetHistory } from './fleet-history';

/**
 * Whether this person may use the console: `checking` until the first answer
 * of the admin API, `refused` once it said FORBIDDEN. The API decides; the
 * page never assumes.
 */
export type Access = 'checking' | 'operator' | 'refused';

/** An action the operator asked for, waiting for their confirmation (or under way). */
export type PendingAction =
  | { kind: 'drain'; nodeId: string }
  | { kind: 'disconnect'; user: AdminUser }
  | { kind: 'suspend'; user: AdminUser }
  | { kind: 'unsuspend'; user: AdminUser }
  | { kind: 'notice'; text: string; level: NoticeLevel };

export interface Outcome {
  tone: 'ok' | 'error';
  text: string;
}

export interface UserSearch {
  query: string;
  users: AdminUser[];
  /** An answer for `query` came (so "nobody found" can be said). */
  searched: boolean;
  error?: string;
}

export interface AuditView {
  entries: AuditEntry[];
  /** The cursor of the next (older) page, if any. */
  next?: string;
  loading: boolean;
  error?: string;
}

export interface ConsoleState {
  access: Access;
  /** The fleet as the last successful poll saw it. */
  fleet?: Fleet;
  history: FleetHistory;
  /** Why the last poll failed: what is shown is then older than it looks. */
  pollError?: string;
  search: UserSearch;
  confirming?: PendingAction;
  running?: PendingAction;
  /** What the last action did, or why it failed. */
  outcome?: Outcome;
  /** Notices posted from this page: the notice form starts blank again after each. */
  noticesPosted: number;
  audit: AuditView;
}

export type ConsoleAction =
  /** `receivedAt`: the browser's clock when the answer came (the samples' time); `silentAfterMs`: see recordFleet. */
  | { type: 'fleet/polled'; fleet: Fleet; receivedAt: number; silentAfterMs?: number }
  | { type: 'fleet/failed'; error: string }
  | { type: 'access/refused' }
  | { type: 'search/started'; query: string }
  | { type: 'search/answered'; query: string; users: AdminUser[] }
  | { type: 'search/failed'; query: string; error: string }
  | { type: 'action/asked'; action: PendingAction }
  | { type: 'action/cancelled' }
  | { type: 'action/started' }
  /** `user`: the user as the server now has them (suspended or not), updated in the search results. */
  | { type: 'action/done'; outcome: Outcome; user?: AdminUser }
  | { type: 'action/failed'; error: string }
  | { type: 'audit/loading' }
  /** `append`: an older page after what is shown; otherwise the newest page replaces it. */
  | { type: 'audit/loaded'; page: AuditPage; append: boolean }
  | { type: 'audit/failed'; error: string };

export const INITIAL_CONSOLE: ConsoleState = {
  access: 'checking',
  history: EMPTY_HISTORY,
  search: { query: '', users: [], searched: false },
  audit: { entries: [], loading: false },
  noticesPosted: 0,
};

/** The console's whole view state after one action; the same object when nothing changed. */
export function reduceConsole(state: ConsoleState, action: ConsoleAction): ConsoleState {
  switch (action.type) {
    case 'fleet/polled':
      return {
        ...state,
        access: 'operator',
        fleet: action.fleet,
        history: recordFleet(state.history, action.fleet, action.receivedAt, { silentAfterMs: action.silentAfterMs }),
        pollError: undefined,
      };
    case 'fleet/failed':
      return { ...state, pollError: action.error };
    case 'access/refused':
      return { ...INITIAL_CONSOLE, access: 'refused' };
    case 'search/started':
      return { ...state, search: { ...state.search, query: action.query, searched: false, error: undefined } };
    case 'search/answered':
      // An answer to an older query than the one typed since is stale.
      if (action.query !== state.search.query) return state;
      return { ...state, search: { query: action.query, users: action.users, searched: true } };
    case 'search/failed':
      if (action.query !== state.search.query) return state;
      return { ...state, search: { ...state.search, searched: true, error: action.error } };
    case 'action/asked':
      if (state.running) return state;
      return { ...state, confirming: action.action, outcome: undefined };
    case 'action/cancelled':
      return state.confirming ? { ...state, confirming: undefined } : state;
    case 'action/started':
      return state.confirming ? { ...state, running: state.confirming, confirming: undefined, outcome: undefined } : state;
    case 'action/done': {
      const user = action.user;
      const users = user ? state.search.users.map((u) => (u.id === user.id ? user : u)) : state.search.users;
      const posted = state.running?.kind === 'notice' && action.outcome.tone === 'ok' ? 1 : 0;
      return { ...state, running: undefined, outcome: action.outcome, search: { ...state.search, users }, noticesPosted: state.noticesPosted + posted };
    }
    case 'action/failed':
      return { ...state, running: undefined, outcome: { tone: 'error', text: action.error } };
    case 'audit/loading':
      return { ...state, audit: { ...state.audit, loading: true, error: undefined } };
    case 'audit/loaded': {
      const entries = action.append ? appendNew(state.audit.entries, action.page.entries) : action.page.entries;
      return { ...state, audit: { entries, next: action.page.next, loading: false } };
    }
    case 'audit/failed':
      return { ...state, audit: { ...state.audit, loading: false, error: action.error } };
  }
}

/** Older entries after the ones shown, none twice (a page may overlap when entries were added meanwhile). */
function appendNew(shown: AuditEntry[], older: readonly AuditEntry[]): AuditEntry[] {
  const seen = new Set(shown.map((e) => e.id));
  return [...shown, ...older.filter((e) => !seen.has(e.id))];
}

/** How an action is named on its button and in its confirmation. */
export function actionTitle(action: PendingAction): string {
  switch (action.kind) {
    case 'drain':
      return `Drain node ${action.nodeId}`;
    case 'disconnect':
      return `Disconnect @${action.user.username}`;
    case 'suspend':
      return `Suspend @${action.user.username}`;
    case 'unsuspend':
      return `Lift the suspension of @${action.user.username}`;
    case 'notice':
      return 'Post a notice to everyone online';
  }
}

/** What confirming will do, said before it is done. */
export function actionConsequence(action: PendingAction): string {
  switch (action.kind) {
    case 'drain':
      return `${action.nodeId} leaves discovery, moves its users to the other nodes and stops, as on SIGTERM. It does not come back by itself.`;
    case 'disconnect':
      return `Every session of @${action.user.username} ends at once, on every node. They may sign in again.`;
    case 'suspend':
      return `Every session of @${action.user.username} ends at once, on every node, and sign-in is refused until the suspension is lifted.`;
    case 'unsuspend':
      return `@${action.user.username} may sign in again.`;
    case 'notice':
      return `Everyone online sees this as a ${action.level === 'warning' ? 'warning' : 'notice'} banner: “${action.text}”`;
  }
}

const sessions = (n: number): string => `${n} session${n === 1 ? '' : 's'} ended`;
const nodes = (n: number): string => `${n} node${n === 1 ? '' : 's'}`;

/** What a confirmed action did, from the server's answer. */
export function describeOutcome(
  action: PendingAction,
  result: { sessionsEnded?: number; accepted?: boolean; nodes?: readonly string[] },
): Outcome {
  switch (action.kind) {
    case 'drain':
      return result.accepted === false
        ? { tone: 'error', text: `Node ${action.nodeId} was not told to drain: it has no stream to this gateway right now.` }
        : { tone: 'ok', text: `Node ${action.nodeId} is draining: its users move to the other nodes.` };
    case 'disconnect':
      return { tone: 'ok', text: `Disconnected @${action.user.username}: ${sessions(result.sessionsEnded ?? 0)}.` };
    case 'suspend':
      return { tone: 'ok', text: `Suspended @${action.user.username}: ${sessions(result.sessionsEnded ?? 0)}; sign-in is refused until lifted.` };
    case 'unsuspend':
      return { tone: 'ok', text: `@${action.user.username} is no longer suspended and may sign in again.` };
    case 'notice':
      return { tone: 'ok', text: `Notice posted to ${nodes(result.nodes?.length ?? 0)}: everyone online sees it.` };
  }
}
