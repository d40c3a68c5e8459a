export { MemoryPresence, type MemoryPresenceOptions } from './presence.memory';
export { RedisPresence, type RedisPresenceOptions } from './presence.redis';
export { FAIL_FAST_REDIS_OPTIONS, createRedisClient } from './redis-client';
