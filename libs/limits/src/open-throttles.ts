import type Redis from 'ioredis';
import type { ThrottleFactory } from '@parley/domain';
import type { Logger } from '@parley/util';
import { MemoryThrottleFactory } from './throttle.memory';
import { RedisThrottleFactory } from './throttle.redis';

export interface OpenThrottlesOptions {
  /** PARLEY_REDIS_URL: counters shared by every process on it; unset, this process counts alone. */
  redisUrl?: string;
  /** PARLEY_REDIS_PREFIX. */
  keyPrefix: string;
  /** Makes the Redis client: @parley/presence's createRedisClient (fail-fast options), passed in by the app. */
  connectRedis: (url: string, onError: (err: Error) => void) => Redis;
  logger: Logger;
  /** Logged (info) when there is no Redis, saying what counting alone means for this app. */
  withoutRedisNotice?: string;
}

export interface OpenedThrottles {
  throttles: ThrottleFactory;
  /** Closes the Redis client, if one was opened. */
  close(): void;
  /** The Redis client the counters live in, when there is one: readiness checks PING it. */
  redis?: { ping(): Promise<unknown> };
}

/** The throttle engine an app's config asks for: Redis when configured, else this process's memory. */
export function openThrottles(options: OpenThrottlesOptions): OpenedThrottles {
  const { redisUrl, logger } = options;
  if (!redisUrl) {
    if (options.withoutRedisNotice) logger.info({}, options.withoutRedisNotice);
    return { throttles: new MemoryThrottleFactory(), close: () => {} };
  }
  const client = options.connectRedis(redisUrl, (err) => logger.warn({ err: err.message }, 'redis connection error (limits)'));
  return {
    throttles: new RedisThrottleFactory(client, { keyPrefix: options.keyPrefix }),
    close: () => client.disconnect(),
    redis: client,
  };
}
