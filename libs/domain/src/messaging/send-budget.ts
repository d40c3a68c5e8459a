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
  spend<T>(userId: string, work: () => Promise<T>, stored: (result: T) => boolean): Promise<T> {
    return this.spendInSteps(userId, async () => undefined, work, stored);
  }

  /**
   * As spend, for work in two steps: `check` (reads that authorize it) runs
   * while the cluster quota is asked, so the two round trips overlap;
   * `write` runs only once the quota granted the point. A send refused by
   * the quota is RATE_LIMITED whatever its check said, as when the quota
   * was asked first. `overlap: false` asks the quota first: for a check
   * that costs someone else (a moderation service), which a user over
   * their quota must not reach.
   */
  async spendInSteps<C, T>(
    userId: string,
    check: () => Promise<C>,
    write: (checked: C) => Promise<T>,
    stored: (result: T) => boolean,
    overlap = true,
  ): Promise<T> {
    const allowed = this.limiter?.take(userId);
    if (allowed && !allowed.ok) {
      throw new ParleyError('RATE_LIMITED', 'sending too fast', { retryAfterMs: allowed.retryAfterMs });
    }
    const asking = this.quota?.consume(userId);
    // The check starts beside the quota's question (overlap), or once the quota granted the point.
    const checking = overlap ? check() : undefined;
    // Its failure is read below, after the quota's answer, which comes first.
    checking?.catch(() => undefined);
    const granted = await asking;
    if (granted && !granted.ok) {
      throw new ParleyError('RATE_LIMITED', 'sending too fast across your sessions', { retryAfterMs: granted.retryAfterMs });
    }
    let kept = false;
    try {
      const result = await write(await (checking ?? check()));
      kept = stored(result);
      return result;
    } finally {
      // A refund that fails leaves the point spent (a limit slightly early), never fails the write.
      if (granted && !kept) await this.quota?.refund(userId).catch(() => undefined);
    }
  }
}
