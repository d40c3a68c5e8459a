import { RateLimiter, type Clock, type RateDecision, type RateLimitOptions, type Throttle, type ThrottleDecision, type ConsumeOptions } from '@parley/domain';
import type { Count } from './node-metrics';

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

/** A throttle whose refused consumes are counted; everything else passes through. */
export class CountedThrottle implements Throttle {
  constructor(
    private readonly inner: Throttle,
    private readonly refused: Count,
  ) {}

  async consume(key: string, points?: number, options?: ConsumeOptions): Promise<ThrottleDecision> {
    const decision = await this.inner.consume(key, points, options);
    if (!decision.ok) this.refused.inc();
    return decision;
  }

  refund(key: string, points?: number): Promise<void> {
    return this.inner.refund(key, points);
  }

  peek(key: string): Promise<number> {
    return this.inner.peek(key);
  }

  reset(key: string): Promise<void> {
    return this.inner.reset(key);
  }
}
