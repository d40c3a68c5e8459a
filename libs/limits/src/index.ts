export { MemoryThrottleFactory } from './throttle.memory';
export { RedisThrottleFactory, type RedisThrottleOptions } from './throttle.redis';
