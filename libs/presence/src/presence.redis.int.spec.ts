import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { ParleyError } from '@parley/protocol';
import { at, findFreePort, startRedis, startRedisOnPort, type RedisService } from '@parley/testing';
import { RedisPresence } from './presence.redis';
import { createRedisClient } from './redis-client';
import { ManualClock, describePresenceContract } from './testing/presence.contract';

const redisUrl = (): string => {
  const url = process.env.PARLEY_TEST_REDIS_URL;
  if (!url) throw new Error('PARLEY_TEST_REDIS_URL is not set (the jest global setup starts a Redis)');
  return url;
};

const uniquePrefix = (): string => `parley-test:${randomBytes(6).toString('hex')}:`;

/** Deletes only the keys under `prefix`, so parallel tests on the same Redis are untouched. */
async function deletePrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describePresenceContract(
  'redis',
  async () => {
    const clock = new ManualClock();
    const keyPrefix = uniquePrefix();
    const admin = createRedisClient(redisUrl());
    const presence = new RedisPresence(redisUrl(), { keyPrefix, clock });
    return {
      presence,
      clock,
      shortTtlMs: 300,
      advance: async (ms) => {
        await sleep(ms);
        clock.advance(ms);
      },
      // Same effect as FLUSHDB on a Redis that holds only this engine's data.
      wipe: () => deletePrefix(admin, keyPrefix),
      close: async () => {
        await presence.close();
        await deletePrefix(admin, keyPrefix);
        await admin.quit();
      },
    };
  },
  { wipe: true },
);

describe('RedisPresence', () => {
  it('uses the key layout documented in presence.redis.lua.ts', async () => {
    const keyPrefix = uniquePrefix();
    const client = createRedisClient(redisUrl());
    const presence = new RedisPresence(client, { keyPrefix, clock: new ManualClock(42) });
    try {
      await presence.heartbeat('A', 10_000);
      await presence.addSession('u1', 's1', 'A');
      expect(await client.hgetall(`${keyPrefix}user:u1:sessions`)).toEqual({ s1: 'A' });
      expect(await client.hgetall(`${keyPrefix}node:A:sessions`)).toEqual({ s1: 'u1' });
      expect(await client.smembers(`${keyPrefix}nodes`)).toEqual(['A']);
      expect(await client.hget(`${keyPrefix}lastseen`, 'u1')).toBe('42');
      const ttl = await client.pttl(`${keyPrefix}node:A:alive`);
      expect(ttl).toBeGreaterThan(9_000);
      expect(ttl).toBeLessThanOrEqual(10_000);
    } finally {
      await presence.close();
      // A client passed in stays open after close(): the caller owns it.
      expect(client.status).toBe('ready');
      await deletePrefix(client, keyPrefix);
      await client.quit();
    }
  });

  it('fails fast with UNAVAILABLE when Redis is unreachable', async () => {
    const port = await findFreePort(); // nothing listens there
    const presence = new RedisPresence(`redis://127.0.0.1:${port}`, { keyPrefix: uniquePrefix() });
    try {
      const started = Date.now();
      const err = await presence.addSession('u1', 's1', 'A').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ParleyError);
      expect((err as ParleyError).code).toBe('UNAVAILABLE');
      await expect(presence.query(['u1'])).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await presence.close();
    }
  });

  it('survives a Redis restart that lost all data: errors while down, restore afterwards', async () => {
    const server = await startRedis();
    let restarted: RedisService | undefined;
    const presence = new RedisPresence(server.url, { keyPrefix: uniquePrefix(), clock: new ManualClock() });
    try {
      expect(await presence.heartbeat('A', 60_000)).toEqual({ wasAlive: false });
      expect((await presence.addSession('u1', 's1', 'A')).firstSession).toBe(true);

      await server.stop();
      await expect(presence.heartbeat('A', 60_000)).rejects.toMatchObject({ code: 'UNAVAILABLE' });

      restarted = await startRedisOnPort(server.port);
      // The client reconnects by itself (retry steps capped at 1 s); the
      // script cache is empty too, which ioredis handles by sending the body.
      let beat: { wasAlive: boolean } | undefined;
      for (let i = 0; i < 40 && !beat; i++) {
        beat = await presence.heartbeat('A', 60_000).catch(() => undefined);
        if (!beat) await sleep(100);
      }
      expect(beat).toEqual({ wasAlive: false });
      expect(at(await presence.query(['u1']), 0, 'presence entry').online).toBe(false);
      expect(await presence.restoreSessions('A', [{ userId: 'u1', sessionId: 's1' }])).toEqual(['u1']);
      expect(at(await presence.query(['u1']), 0, 'presence entry').online).toBe(true);
    } finally {
      await presence.close();
      await server.stop();
      await restarted?.stop();
    }
  });

  it('restores large session lists in batches', async () => {
    const keyPrefix = uniquePrefix();
    const presence = new RedisPresence(redisUrl(), { keyPrefix, restoreBatchSize: 7 });
    const admin = createRedisClient(redisUrl());
    try {
      await presence.heartbeat('A', 60_000);
      const sessions = Array.from({ length: 50 }, (_, i) => ({ userId: `u${i % 20}`, sessionId: `s${i}` }));
      const online = await presence.restoreSessions('A', sessions);
      expect(online.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `u${i}`).sort());
      expect(await admin.hlen(`${keyPrefix}node:A:sessions`)).toBe(50);
    } finally {
      await presence.close();
      await deletePrefix(admin, keyPrefix);
      await admin.quit();
    }
  });
});
