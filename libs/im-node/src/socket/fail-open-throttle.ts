import type { Clock, Throttle, ThrottleDecision } from '@parley/domain';
import type { Logger } from '@parley/util';

/** At most one warning per this long while the counter store is failing. */
const WARN_EVERY_MS = 10_000;

/**
 * A cluster counter that lets a consume through (with a rate-limited
 * warning) while its store is unreachable: for limits the node's own limits
 * still bound meanwhile (the command budget, the node's send limit), unlike
 * the login throttles, which fail closed.
 */
export class FailOpenThrottle implements Throttle {
  private warnedAt = -Infinity;

  constructor(
    private readonly inner: Throttle,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** The warning logged while the store is down. */
    private readonly warning: string,
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

  async peek(key: string): Promise<number> {
    try {
      return await this.inner.peek(key);
    } catch (err) {
      this.warn(err);
      return 0;
    }
  }

  async reset(key: string): Promise<void> {
    await this.inner.reset(key).catch((err: unknown) => this.warn(err));
  }

  private warn(err: unknown): void {
    const now = this.clock.now();
    if (now - this.warnedAt < WARN_EVERY_MS) return;
    this.warnedAt = now;
    this.logger.warn({ err }, this.warning);
  }
}
