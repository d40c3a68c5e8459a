import type Redis from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { ConsumeOptions, Throttle, ThrottleDecision, ThrottleFactory, ThrottleSpec } from '@parley/domain';
import { ParleyError } from '@parley/protocol';
import { checkPoints, checkSpec, consumeOptionsOf, granted, isRefusal, refused } from './throttle-decision';

export interface RedisThrottleOptions {
  /**
   * Prefix of every key, shared with the other Redis users of the cluster
   * (PARLEY_REDIS_PREFIX); a throttle's keys are `<prefix>throttle:<name>:<key>`.
   * @default 'parley:'
   */
  keyPrefix?: string;
}

/**
 * Gives points back without ever going below zero or creating a key (a
 * refund after the window ended must not open a new one with negative
 * points). DECRBY keeps the key's expiry; a key left holding nothing is
 * deleted, so refused attempts at many keys (spraying) leave no keys behind.
 */
const REFUND_SCRIPT = `
local current = tonumber(redis.call('get', KEYS[1]) or '0')
local back = math.min(current, tonumber(ARGV[1]))
if current - back <= 0 then redis.call('del', KEYS[1]) return 0 end
return redis.call('decrby', KEYS[1], back)
`;

interface RefundCommand {
  parleyThrottleRefund(key: string, points: number): Promise<number>;
}

/**
 * Throttles shared by every process on one Redis: each consume is one Lua
 * script (rate-limiter-flexible's INCRBY + expiry), so parallel consumes on
 * any number of gateways are counted exactly.
 *
 * Fails closed: while Redis is unreachable every consume is ParleyError
 * `UNAVAILABLE` (503). No in-memory insurance limiter: it would hand out a
 * fresh allowance per process and forget the failures counted so far, so an
 * attacker able to disturb Redis would multiply their guesses by the number
 * of gateways. A sign-in refused for a moment is the lesser harm.
 *
 * The client is the caller's (they close it); use FAIL_FAST_REDIS_OPTIONS
 * (@parley/presence's createRedisClient) so commands fail fast when Redis is down.
 */
export class RedisThrottleFactory implements ThrottleFactory {
  private readonly prefix: string;

  constructor(
    private readonly client: Redis,
    options: RedisThrottleOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? 'parley:';
    client.defineCommand('parleyThrottleRefund', { numberOfKeys: 1, lua: REFUND_SCRIPT });
  }

  create(spec: ThrottleSpec): Throttle {
    return new RedisThrottle(this.client, `${this.prefix}throttle:${checkSpec(spec).name}`, spec);
  }
}

class RedisThrottle implements Throttle {
  private readonly limiter: RateLimiterRedis;

  constructor(
    private readonly client: Redis,
    keyPrefix: string,
    spec: ThrottleSpec,
  ) {
    this.limiter = new RateLimiterRedis({
      storeClient: client,
      keyPrefix,
      points: spec.points,
      duration: spec.durationSec,
      // Not rejectIfRedisNotReady: it also refuses before the first connection is up. The
      // fail-fast client options bound the wait instead (one reconnect attempt).
    });
  }

  async consume(key: string, points = 1, options?: ConsumeOptions): Promise<ThrottleDecision> {
    checkPoints(points);
    try {
      return granted(await this.limiter.consume(key, points, consumeOptionsOf(options)));
    } catch (err) {
      if (!isRefusal(err)) throw unavailable(err);
      // The script counted the refused points; a refused consume takes nothing (the port's rule).
      await this.refund(key, points);
      return refused(err, points);
    }
  }

  async refund(key: string, points = 1): Promise<void> {
    checkPoints(points);
    try {
      await (this.client as unknown as RefundCommand).parleyThrottleRefund(this.limiter.getKey(key), points);
    } catch (err) {
      throw unavailable(err);
    }
  }

  async peek(key: string): Promise<number> {
    try {
      return Math.max(0, Number.parseInt((await this.client.get(this.limiter.getKey(key))) ?? '0', 10) || 0);
    } catch (err) {
      throw unavailable(err);
    }
  }

  async reset(key: string): Promise<void> {
    try {
      await this.client.del(this.limiter.getKey(key));
    } catch (err) {
      throw unavailable(err);
    }
  }
}

function unavailable(cause: unknown): ParleyError {
  return new ParleyError('UNAVAILABLE', 'rate limit store unavailable', { cause });
}
