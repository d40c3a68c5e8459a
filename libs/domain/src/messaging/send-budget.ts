import { ParleyError } from '@parley/protocol';
import type { RateLimiter } from '../limits/rate-limiter';
import type { Throttle } from '../ports';

/**
 * What a user may write into conversations: sends and changes (edits,
 * recalls, reactions, deletions) alike spend from the node's per-user
 * limiter, then the cluster-wide quota, so a thousand reactions at once are
 * refused like a thousand sends.
 */
export class SendBudget {
  constructor(
    /** Per user through this node; over it RATE_LIMITED with retryAfterMs. */
    private readonly limiter?: RateLimiter,
    /** Per user across the cluster (a shared counter keyed by the user id); asked after `limiter`. */
    private readonly quota?: Throttle,
  ) {}

  /**
   * Runs `work` on one point of `userId`'s budget. Only work that stored
   * something new keeps the cluster point (`stored`): a retry answered from
   * the store, a change that changed nothing, or a refusal gives it back.
   */
  async spend<T>(userId: string, work: () => Promise<T>, stored: (result: T) => boolean): Promise<T> {
    const allowed = this.limiter?.take(userId);
    if (allowed && !allowed.ok) {
      throw new ParleyError('RATE_LIMITED', 'sending too fast', { retryAfterMs: allowed.retryAfterMs });
    }
    const quota = await this.quota?.consume(userId);
    if (quota && !quota.ok) {
      throw new ParleyError('RATE_LIMITED', 'sending too fast across your sessions', { retryAfterMs: quota.retryAfterMs });
    }
    let kept = false;
    try {
      const result = await work();
      kept = stored(result);
      return result;
    } finally {
      // A refund that fails leaves the point spent (a limit slightly early), never fails the write.
      if (quota && !kept) await this.quota?.refund(userId).catch(() => undefined);
    }
  }
}
