import { createRedisClient } from '@parley/presence';
import { at, deleteRedisPrefix, findFreePort, testRedisUrl, uniqueRedisPrefix } from '@parley/testing';
import { RedisThrottleFactory } from './throttle.redis';
import { describeThrottleContract } from './testing/throttle.contract';


describeThrottleContract('redis', async () => {
  const keyPrefix = uniqueRedisPrefix();
  const client = createRedisClient(testRedisUrl());
  return {
    factory: new RedisThrottleFactory(client, { keyPrefix }),
    close: async () => {
      await deleteRedisPrefix(client, keyPrefix);
      await client.quit();
    },
  };
});

describe('RedisThrottleFactory', () => {
  it('shares counts between processes: two clients of one Redis race for one 10-point key and 10 win', async () => {
    const keyPrefix = uniqueRedisPrefix();
    const clients = [createRedisClient(testRedisUrl()), createRedisClient(testRedisUrl())];
    try {
      const throttles = clients.map((c) => new RedisThrottleFactory(c, { keyPrefix }).create({ name: 'shared', points: 10, durationSec: 60 }));
      const decisions = await Promise.all(Array.from({ length: 100 }, (_, i) => at(throttles, i % 2, 'throttle').consume('victim')));
      expect(decisions.filter((d) => d.ok)).toHaveLength(10);
      const keys = await at(clients, 0, 'client').keys(`${keyPrefix}*`);
      expect(keys).toEqual([`${keyPrefix}throttle:shared:victim`]);
    } finally {
      await deleteRedisPrefix(at(clients, 0, 'client'), keyPrefix);
      await Promise.all(clients.map((c) => c.quit()));
    }
  });

  it('leaves no key behind once everything taken is given back (refused sprays cost Redis nothing)', async () => {
    const keyPrefix = uniqueRedisPrefix();
    const client = createRedisClient(testRedisUrl());
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
      await deleteRedisPrefix(client, keyPrefix);
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
