import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { ConsumeOptions, Throttle, ThrottleDecision, ThrottleFactory, ThrottleSpec } from '@parley/domain';
import { checkPoints, checkSpec, consumeOptionsOf, granted, isRefusal, refused } from './throttle-decision';

/**
 * Throttles kept in this process (embedded mode, tests): one counter per key,
 * expired with the window. Every operation runs synchronously inside
 * rate-limiter-flexible, so parallel consumes cannot interleave. As with
 * Redis, one name is one counter: everything in the process that creates the
 * same throttle (embedded mode's two IM nodes) shares it.
 */
export class MemoryThrottleFactory implements ThrottleFactory {
  private readonly byName = new Map<string, { spec: ThrottleSpec; throttle: Throttle }>();

  create(spec: ThrottleSpec): Throttle {
    const checked = checkSpec(spec);
    const existing = this.byName.get(checked.name);
    if (existing) {
      if (existing.spec.points !== checked.points || existing.spec.durationSec !== checked.durationSec) {
        throw new Error(`throttle "${checked.name}" already exists with other limits`);
      }
      return existing.throttle;
    }
    const throttle = new MemoryThrottle(checked);
    this.byName.set(checked.name, { spec: checked, throttle });
    return throttle;
  }
}

class MemoryThrottle implements Throttle {
  private readonly limiter: RateLimiterMemory;

  constructor(spec: ThrottleSpec) {
    this.limiter = new RateLimiterMemory({ keyPrefix: spec.name, points: spec.points, duration: spec.durationSec });
  }

  async consume(key: string, points = 1, options?: ConsumeOptions): Promise<ThrottleDecision> {
    checkPoints(points);
    try {
      return granted(await this.limiter.consume(key, points, consumeOptionsOf(options)));
    } catch (err) {
      if (!isRefusal(err)) throw err;
      // A refused consume takes nothing (the port's rule); the memory engine counted it.
      await this.refund(key, points);
      return refused(err, points);
    }
  }

  async refund(key: string, points = 1): Promise<void> {
    checkPoints(points);
    // get() and reward() run synchronously underneath; nothing else can change the key between them in practice.
    const current = await this.limiter.get(key);
    if (!current || current.consumedPoints <= 0) return; // nothing taken, or the window is over: open no new one
    // A key left holding nothing is forgotten (as in Redis), so refused attempts leave no keys behind.
    if (current.consumedPoints <= points) await this.limiter.delete(key);
    else await this.limiter.reward(key, points);
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}
