import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { ConsumeOptions, Throttle, ThrottleDecision, ThrottleFactory, ThrottleSpec } from '@parley/domain';
import { checkPoints, checkSpec, consumeOptionsOf, granted, isRefusal, refused } from './throttle-decision';

/**
 * Throttles kept in this process (embedded mode, tests): one counter per key,
 * expired with the window. rate-limiter-flexible's memory operations are
 * promises, and a refund is two of them (read, then reward or delete), so
 * every operation of a throttle waits for the one before it: a consume can
 * never land between a refund's read and its write and be erased. As with
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
  /** The end of the last queued operation; each runs once every earlier one has settled. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(spec: ThrottleSpec) {
    this.limiter = new RateLimiterMemory({ keyPrefix: spec.name, points: spec.points, duration: timerSafe(spec.durationSec) });
  }

  async consume(key: string, points = 1, options?: ConsumeOptions): Promise<ThrottleDecision> {
    checkPoints(points);
    return this.serialized(async () => {
      try {
        const { customDuration } = consumeOptionsOf(options);
        const window = customDuration === undefined ? {} : { customDuration: timerSafe(customDuration) };
        return granted(await this.limiter.consume(key, points, window));
      } catch (err) {
        if (!isRefusal(err)) throw err;
        // A refused consume takes nothing (the port's rule); the memory engine counted it.
        await this.giveBack(key, points);
        return refused(err, points);
      }
    });
  }

  async refund(key: string, points = 1): Promise<void> {
    checkPoints(points);
    return this.serialized(() => this.giveBack(key, points));
  }

  peek(key: string): Promise<number> {
    return this.serialized(async () => Math.max(0, (await this.limiter.get(key))?.consumedPoints ?? 0));
  }

  reset(key: string): Promise<void> {
    return this.serialized(async () => {
      await this.limiter.delete(key);
    });
  }

  /** Read, then reward or delete: only ever called inside `serialized`, so nothing runs between the two. */
  private async giveBack(key: string, points: number): Promise<void> {
    const current = await this.limiter.get(key);
    if (!current || current.consumedPoints <= 0) return; // nothing taken, or the window is over: open no new one
    // A key left holding nothing is forgotten (as in Redis), so refused attempts leave no keys behind.
    if (current.consumedPoints <= points) await this.limiter.delete(key);
    else await this.limiter.reward(key, points);
  }

  private serialized<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.tail.then(operation);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * The longest window a memory key can have: rate-limiter-flexible expires
 * each key with a Node timer, and a timer over 2^31-1 ms fires after 1 ms
 * (so a 30-day key would vanish at once). Longer windows are cut to ~24.8
 * days in memory; Redis keeps them whole.
 */
const MAX_TIMER_SEC = Math.floor((2 ** 31 - 1) / 1000);

function timerSafe(durationSec: number): number {
  return Math.min(durationSec, MAX_TIMER_SEC);
}
