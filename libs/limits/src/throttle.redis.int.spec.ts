import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { createRedisClient } from '@parley/presence';
import { at, findFreePort } from '@parley/testing';
import { RedisThrottleFactory } from './throttle.redis';
import { describeThrottleContract } from './testing/throttle.contract';

const redisUrl = (): string => {
  const url = process.env.PARLEY_TEST_REDIS_URL;
  if (!url) throw new Error('PARLEY_TEST_REDIS_URL is not set (the jest global setup starts a Redis)');
  return url;
};

const uniquePrefix = (): string => `parley-test:${randomBytes(6).toString('hex')}:`;

async function deletePrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

describeThrottleContract('redis', async () => {
  const keyPrefix = uniquePrefix();
  const client = createRedisClient(redisUrl());
  return {
    factory: new RedisThrottleFactory(client, { keyPrefix }),
    close: async () => {
      await deletePrefix(client, keyPrefix);
      await client.quit();
    },
  };
});

describe('RedisThrottleFactory', () => {
  it('shares counts between processes: two clients of one Redis race for one 10-point key and 10 win', async () => {
    const keyPrefix = uniquePrefix();
    const clients = [createRedisClient(redisUrl()), createRedisClient(redisUrl())];
    try {
      const throttles = clients.map((c) => new RedisThrottleFactory(c, { keyPrefix }).create({ name: 'shared', points: 10, durationSec: 60 }));
      const decisions = await Promise.all(Array.from({ length: 100 }, (_, i) => at(throttles, i % 2, 'throttle').consume('victim')));
      expect(decisions.filter((d) => d.ok)).toHaveLength(10);
      const keys = await at(clients, 0, 'client').keys(`${keyPrefix}*`);
      expect(keys).toEqual([`${keyPrefix}throttle:shared:victim`]);
    } finally {
      await deletePrefix(at(clients, 0, 'client'), keyPrefix);
      await Promise.all(clients.map((c) => c.quit()));
    }
  });

  it('leaves no key behind once everything taken is given back (refused sprays cost Redis nothing)', async () => {
    const keyPrefix = uniquePrefix();
    const client = createRedisClient(redisUrl());
    try {
      const throttle = new RedisThrottleFactory(client, { keyPrefix }).create({ name: 'spray', points: 5, durationSec: 86_400 });
      for (let i = 0; i < 20; i++) {
        await throttle.consume(`name-${i}`);
        await throttle.refund(`name-${i}`);
      }
      await throttle.consume('kept', 2);
      await throttle.refund('kept');
      expect(await client.keys(`${keyPrefix}*`)).toEqual([`${keyPrefix}throttle:spray:kept`]);
    } finally {
      await deletePrefix(client, keyPrefix);
      await client.quit();
    }
  });

  it('fails closed while Redis is unreachable: UNAVAILABLE, never a grant', async () => {
    const port = await findFreePort();
    const client = createRedisClient(`redis://127.0.0.1:${port}`);
    try {
      const throttle = new RedisThrottleFactory(client).create({ name: 'down', points: 1000, durationSec: 60 });
      await expect(throttle.consume('k')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      await expect(throttle.refund('k')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    } finally {
      client.disconnect();
    }
  });
});
