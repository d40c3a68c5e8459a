import type { ThrottleFactory } from '@parley/domain';
import { MemoryThrottleFactory, RedisThrottleFactory } from '@parley/limits';
import { createRedisClient } from '@parley/presence';
import type { Logger } from '@parley/util';

/**
 * The counters behind the login and registration limits: Redis when
 * configured (every gateway shares them), else this process's memory (a
 * single gateway; with several, each would count alone).
 */
export function openThrottles(
  config: { PARLEY_REDIS_URL?: string; PARLEY_REDIS_PREFIX: string },
  logger: Logger,
): { throttles: ThrottleFactory; close(): void } {
  if (!config.PARLEY_REDIS_URL) {
    logger.info({}, 'limits counted in this process (no PARLEY_REDIS_URL): run one gateway, or give them a Redis');
    return { throttles: new MemoryThrottleFactory(), close: () => {} };
  }
  const client = createRedisClient(config.PARLEY_REDIS_URL, {}, (err) => logger.warn({ err: err.message }, 'redis connection error (limits)'));
  return {
    throttles: new RedisThrottleFactory(client, { keyPrefix: config.PARLEY_REDIS_PREFIX }),
    close: () => client.disconnect(),
  };
}
