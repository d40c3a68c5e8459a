import { RateLimiter, type Clock, type RateDecision, type RateLimitOptions } from '@parley/domain';
import type { Count, NodeLimit } from './node-metrics';

/** The node's per-user send limiter, counting each refusal (the domain never sees a metric). */
export class CountedRateLimiter extends RateLimiter {
  constructor(
    clock: Clock,
    options: RateLimitOptions,
    private readonly refused: Count,
  ) {
    super(clock, options);
  }

  override take(key: string): RateDecision {
    const decision = super.take(key);
    if (!decision.ok) this.refused.inc();
    return decision;
  }
}

/** The cluster throttles whose refusals the node counts, by throttle name (user-social's are counted by the dispatcher, as `social`). */
const THROTTLE_LIMITS: ReadonlyMap<string, NodeLimit> = new Map([['user-send', 'user_send']]);

/** The `limit` label of a cluster throttle's refusals (meteredThrottles' limitOf); undefined: not counted there. */
export function nodeThrottleLimit(throttleName: string): NodeLimit | undefined {
  return THROTTLE_LIMITS.get(throttleName);
}
