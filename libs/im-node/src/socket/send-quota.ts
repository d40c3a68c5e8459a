import type { Throttle, ThrottleDecision, ThrottleFactory } from '@parley/domain';
import type { Logger } from '@parley/util';

export interface UserSendQuotaOptions {
  /** Messages one user may send per window, across every node of the cluster. @default 600 */
  points: number;
  /** The window, seconds. @default 60 */
  windowSec: number;
}

export const DEFAULT_USER_SEND_QUOTA: Readonly<UserSendQuotaOptions> = Object.freeze({ points: 600, windowSec: 60 });

/** At most one warning per this long while the quota's store is failing. */
const WARN_EVERY_MS = 10_000;

/**
 * The cluster-wide per-user send limit (one counter per user, shared by
 * every node through the throttle engine: Redis in a cluster).
 *
 * Fails open, unlike the login throttles: while the counter store is
 * unreachable a send is let through with a warning. Sending never needed
 * Redis before, and the node's own limits (the socket budget, the per-user
 * send limit of the node) still bound what one user can do meanwhile.
 */
export function createUserSendQuota(factory: ThrottleFactory, options: UserSendQuotaOptions, logger: Logger): Throttle {
  return new FailOpenThrottle(factory.create({ name: 'user-send', points: options.points, durationSec: options.windowSec }), logger);
}

class FailOpenThrottle implements Throttle {
  private warnedAt = -Infinity;

  constructor(
    private readonly inner: Throttle,
    private readonly logger: Logger,
  ) {}

  async consume(key: string, points?: number): Promise<ThrottleDecision> {
    try {
      return await this.inner.consume(key, points);
    } catch (err) {
      this.warn(err);
      return { ok: true, consumed: 0 };
    }
  }

  async refund(key: string, points?: number): Promise<void> {
    await this.inner.refund(key, points).catch((err: unknown) => this.warn(err));
  }

  async reset(key: string): Promise<void> {
    await this.inner.reset(key).catch((err: unknown) => this.warn(err));
  }

  private warn(err: unknown): void {
    const now = Date.now();
    if (now - this.warnedAt < WARN_EVERY_MS) return;
    this.warnedAt = now;
    this.logger.warn({ err }, 'cluster send limit unavailable: sends pass on the node limits alone');
  }
}
