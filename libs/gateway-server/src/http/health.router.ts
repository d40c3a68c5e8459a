import type { Express } from 'express';
import { ParleyError } from '@parley/protocol';
import { sendProblem } from './problem';

/** What /readyz asks of the database: that it answers (Store.ping). */
export interface Pingable {
  ping(): Promise<void>;
}

/**
 * Whether this gateway should get traffic: not while it is stopping, and not
 * while its database does not answer (sign-ins and every bearer check need
 * it). Consul's check on the gateway and a load balancer's probe read it.
 *
 * /readyz needs no credentials, and the ping borrows a connection from the
 * pool sign-ins use: so at most one ping is ever in flight (a ping that
 * outlives its timeout is not doubled while it hangs), and its answer is
 * kept for answerCacheMs. A flood of /readyz costs the database nothing more.
 */
export class GatewayReadiness {
  private stopping = false;
  /** The store's ping in flight, shared by every check until it settles. */
  private ping?: Promise<'ok' | 'failed'>;
  /** The check in flight, shared by every caller. */
  private checking?: Promise<string | undefined>;
  private last?: { reason: string | undefined; at: number };

  /**
   * @param pingTimeoutMs longest wait for the database's answer. @default 1000
   * @param answerCacheMs how long one answer serves every caller. @default 1000
   */
  constructor(
    private readonly store?: Pingable,
    private readonly pingTimeoutMs = 1_000,
    private readonly answerCacheMs = 1_000,
  ) {}

  /** From now on /readyz answers 503: the gateway is leaving. */
  markStopping(): void {
    this.stopping = true;
  }

  /** Why the gateway is not ready, or undefined when it is. */
  async notReadyReason(): Promise<string | undefined> {
    if (this.stopping) return 'stopping';
    if (!this.store) return undefined;
    if (this.last && Date.now() - this.last.at < this.answerCacheMs) return this.last.reason;
    this.checking ??= this.check(this.store).finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async check(store: Pingable): Promise<string | undefined> {
    this.ping ??= store.ping().then(
      () => 'ok' as const,
      () => 'failed' as const,
    ).finally(() => {
      this.ping = undefined;
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.pingTimeoutMs);
    });
    try {
      const answer = await Promise.race([this.ping, timedOut]);
      const reason = answer === 'ok' ? undefined : answer === 'failed' ? 'database unreachable' : 'database not answering';
      this.last = { reason, at: Date.now() };
      return reason;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * GET /livez (the process answers), GET /readyz (200 ready, 503 with the
 * reason when stopping or the database is unreachable) and the older
 * GET /healthz (liveness, kept for existing checks), on the app's root.
 */
export function mountHealthRoutes(app: Express, readiness: GatewayReadiness): void {
  app.get('/livez', (_req, res) => {
    res.set('cache-control', 'no-store').json({ status: 'ok' });
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const reason = await readiness.notReadyReason();
    res.set('cache-control', 'no-store');
    if (reason === undefined) res.json({ status: 'ready' });
    else sendProblem(res, new ParleyError('UNAVAILABLE', `not ready: ${reason}`));
  });
}
