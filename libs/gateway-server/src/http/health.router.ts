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
 */
export class GatewayReadiness {
  private stopping = false;

  /** @param pingTimeoutMs longest wait for the database's answer. @default 1000 */
  constructor(
    private readonly store?: Pingable,
    private readonly pingTimeoutMs = 1_000,
  ) {}

  /** From now on /readyz answers 503: the gateway is leaving. */
  markStopping(): void {
    this.stopping = true;
  }

  /** Why the gateway is not ready, or undefined when it is. */
  async notReadyReason(): Promise<string | undefined> {
    if (this.stopping) return 'stopping';
    if (!this.store) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.pingTimeoutMs);
    });
    try {
      const answer = await Promise.race([this.store.ping().then(() => 'ok' as const), timedOut]);
      return answer === 'ok' ? undefined : 'database not answering';
    } catch {
      return 'database unreachable';
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
