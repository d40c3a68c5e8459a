import type Redis from 'ioredis';
import type { Logger } from '@parley/util';
import { openThrottles } from './open-throttles';
import { MemoryThrottleFactory } from './throttle.memory';
import { RedisThrottleFactory } from './throttle.redis';

function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const record = (_fields: object, msg: string) => void lines.push(msg);
  return { logger: { info: record, warn: record, error: record, debug: record } as unknown as Logger, lines };
}

describe('openThrottles', () => {
  it('counts in this process without a Redis URL, saying so, and opens no connection', () => {
    const { logger, lines } = recordingLogger();
    const connectRedis = jest.fn();
    const opened = openThrottles({ keyPrefix: 'parley:', connectRedis, logger, withoutRedisNotice: 'counting alone' });
    expect(opened.throttles).toBeInstanceOf(MemoryThrottleFactory);
    expect(connectRedis).not.toHaveBeenCalled();
    expect(lines).toEqual(['counting alone']);
    opened.close();
  });

  it('counts in Redis when configured, logs its connection errors, and disconnects on close', () => {
    const { logger, lines } = recordingLogger();
    const client = { defineCommand: jest.fn(), disconnect: jest.fn() };
    let reportError: (err: Error) => void = () => {};
    const connectRedis = jest.fn((_url: string, onError: (err: Error) => void) => {
      reportError = onError;
      return client as unknown as Redis;
    });
    const opened = openThrottles({ redisUrl: 'redis://redis:6379', keyPrefix: 'parley:', connectRedis, logger });
    expect(opened.throttles).toBeInstanceOf(RedisThrottleFactory);
    expect(connectRedis).toHaveBeenCalledWith('redis://redis:6379', expect.any(Function));
    reportError(new Error('ECONNREFUSED'));
    expect(lines).toEqual(['redis connection error (limits)']);
    opened.close();
    expect(client.disconnect).toHaveBeenCalledTimes(1);
  });
});
