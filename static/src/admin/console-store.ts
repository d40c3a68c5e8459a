import { ParleyError } from '@parley/protocol';
import type { AdminApi } from './admin-api';
import { INITIAL_CONSOLE, describeOutcome, reduceConsole, type ConsoleAction, type ConsoleState, type PendingAction } from './console-state';
import { describeAdminError } from './describe-admin-error';
import { POLL_EVERY_MS, SILENT_AFTER_MS } from './fleet-history';

export const AUDIT_PAGE = 20;

export interface ConsoleStoreOptions {
  /** @default POLL_EVERY_MS */
  pollEveryMs?: number;
  /** The session is over (its token refused and not renewable): the page signs out. */
  onSessionOver: () => void;
  /** @default globalThis.setTimeout / clearTimeout */
  timers?: { set: (run: () => void, ms: number) => unknown; clear: (handle: unknown) => void };
  /** The browser's clock, epoch ms: the time of each sample. @default Date.now */
  now?: () => number;
}

/**
 * The ops console's state and everything it does: polls the fleet every
 * 2 s (the next poll is planned when the last one answered, so a slow
 * gateway is never asked twice at once), searches users, runs the actions
 * the operator confirmed, pages the audit log. The view state changes only
 * through `reduceConsole`.
 */
export class ConsoleStore {
  state: ConsoleState = INITIAL_CONSOLE;
  private readonly listeners = new Set<() => void>();
  private timer: unknown;
  private stopped = false;
  private readonly pollEveryMs: number;
  private readonly timers: NonNullable<ConsoleStoreOptions['timers']>;
  private readonly now: () => number;

  constructor(
    private readonly api: AdminApi,
    private readonly options: ConsoleStoreOptions,
  ) {
    this.pollEveryMs = options.pollEveryMs ?? POLL_EVERY_MS;
    this.now = options.now ?? Date.now;
    this.timers = options.timers ?? { set: (run, ms) => setTimeout(run, ms), clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) };
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private dispatch(action: ConsoleAction): void {
    const next = reduceConsole(this.state, action);
    if (next === this.state) return;
    this.state = next;
    if (this.stopped) return;
    for (const l of [...this.listeners]) l();
  }

  /** Asks the fleet once (which tells whether this person is an operator), then keeps polling; the audit log's newest page once allowed. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.poll();
    if (this.state.access === 'operator') await this.loadAudit(false);
  }

  stop(): void {
    this.stopped = true;
    this.timers.clear(this.timer);
  }

  /** One poll now; the next one is planned when it has answered. */
  async poll(): Promise<void> {
    this.timers.clear(this.timer);
    try {
      const fleet = await this.api.fleet();
      // Silent: no new report for two of our polls, and never less than two of the nodes' own 2 s reports.
      const silentAfterMs = Math.max(SILENT_AFTER_MS, 2 * this.pollEveryMs);
      this.dispatch({ type: 'fleet/polled', fleet, receivedAt: this.now(), silentAfterMs });
    } catch (err) {
      if (!this.refused(err)) this.dispatch({ type: 'fleet/failed', error: describeAdminError(err) });
    }
    this.schedule();
  }

  /** Plans the next poll; polls that ran at once (after an action) never leave two timers behind. */
  private schedule(): void {
    this.timers.clear(this.timer);
    if (!this.stopped && this.state.access !== 'refused') this.timer = this.timers.set(() => void this.poll(), this.pollEveryMs);
  }

  async search(query: string): Promise<void> {
    const q = query.trim();
    this.dispatch({ type: 'search/started', query: q });
    if (!q) return;
    try {
      this.dispatch({ type: 'search/answered', query: q, users: await this.api.findUsers(q) });
    } catch (err) {
      if (!this.refused(err)) this.dispatch({ type: 'search/failed', query: q, error: describeAdminError(err) });
    }
  }

  ask(action: PendingAction): void {
    this.dispatch({ type: 'action/asked', action });
  }

  cancel(): void {
    this.dispatch({ type: 'action/cancelled' });
  }

  /** Runs the action waiting for confirmation (`reason`: optional, for the audit log); then the fleet and the audit log are fetched again. */
  async confirm(reason?: string): Promise<void> {
    const action = this.state.confirming;
    if (!action || this.state.running) return;
    this.dispatch({ type: 'action/started' });
    const why = reason?.trim() || undefined;
    try {
      switch (action.kind) {
        case 'drain': {
          const result = await this.api.drain(action.nodeId, why);
          this.dispatch({ type: 'action/done', outcome: describeOutcome(action, result) });
          break;
        }
        case 'notice': {
          const result = await this.api.postNotice(action.text, action.level);
          this.dispatch({ type: 'action/done', outcome: describeOutcome(action, result) });
          break;
        }
        default: {
          const result = await this.api.userAction(action.kind, action.user.id, why);
          this.dispatch({ type: 'action/done', outcome: describeOutcome(action, result), user: result.user });
        }
      }
    } catch (err) {
      if (!this.refused(err)) this.dispatch({ type: 'action/failed', error: describeAdminError(err) });
      return;
    }
    await Promise.all([this.poll(), this.loadAudit(false)]);
  }

  /** The newest page of the audit log, or (`older`) the page after the entries shown. */
  async loadAudit(older: boolean): Promise<void> {
    const before = older ? this.state.audit.next : undefined;
    if (older && !before) return;
    this.dispatch({ type: 'audit/loading' });
    try {
      this.dispatch({ type: 'audit/loaded', page: await this.api.audit(before, AUDIT_PAGE), append: older });
    } catch (err) {
      if (!this.refused(err)) this.dispatch({ type: 'audit/failed', error: describeAdminError(err) });
    }
  }

  /**
   * FORBIDDEN: not (or no longer) an operator, the console closes.
   * UNAUTHORIZED (after the client's own renewal): the session is over.
   */
  private refused(err: unknown): boolean {
    if (!(err instanceof ParleyError)) return false;
    if (err.code === 'FORBIDDEN') {
      this.timers.clear(this.timer);
      this.dispatch({ type: 'access/refused' });
      return true;
    }
    if (err.code === 'UNAUTHORIZED') {
      this.stop();
      this.options.onSessionOver();
      return true;
    }
    return false;
  }
}
