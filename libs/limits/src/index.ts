export { MemoryThrottleFactory } from './throttle.memory';
export { RedisThrottleFactory, type RedisThrottleOptions } from './throttle.redis';
export { openThrottles, type OpenThrottlesOptions, type OpenedThrottles } from './open-throttles';
