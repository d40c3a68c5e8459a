import type { Clock } from '../ports';

export interface RateLimitOptions {
  /** Tokens added per second. */
  ratePerSec: number;
  /** Bucket size: how many may go at once after a quiet spell. */
  burst: number;
  /** Buckets kept at most; the least recently used are forgotten first. @default 100000 */
  maxKeys?: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets per key (a user, a username), in process. Each node limits
 * what passes through it; that bounds abuse per connection without a shared
 * store on the hot path.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;

  constructor(
    private readonly clock: Clock,
    private readonly options: RateLimitOptions,
  ) {
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  /** Takes one token for `key`, or says how long until one is there. */
  take(key: string): RateDecision {
    const bucket = this.refill(key);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / this.options.ratePerSec) * 1000) };
  }

  /** Whether `key` has a token, without taking it. */
  peek(key: string): RateDecision {
    const bucket = this.refill(key);
    return bucket.tokens >= 1
      ? { ok: true }
      : { ok: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / this.options.ratePerSec) * 1000) };
  }

  private refill(key: string): Bucket {
    const now = this.clock.now();
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key); // re-inserted below: Map order is the LRU order
      bucket.tokens = Math.min(this.options.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.options.ratePerSec);
      bucket.at = now;
    } else {
      bucket = { tokens: this.options.burst, at: now };
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    }
    this.buckets.set(key, bucket);
    return bucket;
  }
}
