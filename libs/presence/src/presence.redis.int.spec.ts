import { ParleyError } from '@parley/protocol';
import {
  at,
  deleteRedisPrefix,
  findFreePort,
  startRedis,
  startRedisOnPort,
  testRedisUrl,
  uniqueRedisPrefix,
  waitFor,
  type RedisService,
} from '@parley/testing';
import { RedisPresence } from './presence.redis';
import { createRedisClient } from './redis-client';
import { ManualClock, describePresenceContract } from './testing/presence.contract';


const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describePresenceContract(
  'redis',
  async () => {
    const clock = new ManualClock();
    const keyPrefix = uniqueRedisPrefix();
    const admin = createRedisClient(testRedisUrl());
    const presence = new RedisPresence(testRedisUrl(), { keyPrefix, clock });
    return {
      presence,
      clock,
      shortTtlMs: 300,
      advance: async (ms) => {
        await sleep(ms);
        clock.advance(ms);
      },
      // Same effect as FLUSHDB on a Redis that holds only this engine's data.
      wipe: () => deleteRedisPrefix(admin, keyPrefix),
      close: async () => {
        await presence.close();
        await deleteRedisPrefix(admin, keyPrefix);
        await admin.quit();
      },
    };
  },
  { wipe: true },
);

describe('RedisPresence', () => {
  it('uses the key layout documented in presence.redis.lua.ts', async () => {
    const keyPrefix = uniqueRedisPrefix();
    const client = createRedisClient(testRedisUrl());
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
      await presence.setVisibility('u1', 's1', false, 77);
      expect(await client.hgetall(`${keyPrefix}user:u1:hidden`)).toEqual({ s1: '77' });
      await presence.setVisibility('u1', 's1', true, 78);
      expect(await client.hgetall(`${keyPrefix}user:u1:hidden`)).toEqual({ s1: '0' });
      await presence.removeSession('u1', 's1', 'A');
      expect(await client.exists(`${keyPrefix}user:u1:hidden`)).toBe(0);
    } finally {
      await presence.close();
      // A client passed in stays open after close(): the caller owns it.
      expect(client.status).toBe('ready');
      await deleteRedisPrefix(client, keyPrefix);
      await client.quit();
    }
  });

  it('fails fast with UNAVAILABLE when Redis is unreachable', async () => {
    const port = await findFreePort(); // nothing listens there
    const presence = new RedisPresence(`redis://127.0.0.1:${port}`, { keyPrefix: uniqueRedisPrefix() });
    try {
      // Fast means the refused connection flushed the commands (maxRetriesPerRequest 0), not the 2 s command
      // timeout: the cause says which, with no clock in the test.
      for (const op of [() => presence.addSession('u1', 's1', 'A'), () => presence.query(['u1'])]) {
        const err = await op().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ParleyError);
        expect(err).toMatchObject({ code: 'UNAVAILABLE' });
        expect((err as ParleyError).cause).toMatchObject({ name: 'MaxRetriesPerRequestError' });
      }
    } finally {
      await presence.close();
    }
  });

  it('survives a Redis restart that lost all data: errors while down, restore afterwards', async () => {
    const server = await startRedis();
    let restarted: RedisService | undefined;
    const presence = new RedisPresence(server.url, { keyPrefix: uniqueRedisPrefix(), clock: new ManualClock() });
    try {
      expect(await presence.heartbeat('A', 60_000)).toEqual({ wasAlive: false });
      expect((await presence.addSession('u1', 's1', 'A')).firstSession).toBe(true);

      await server.stop();
      await expect(presence.heartbeat('A', 60_000)).rejects.toMatchObject({ code: 'UNAVAILABLE' });

      restarted = await startRedisOnPort(server.port);
      // The client reconnects by itself (retry steps capped at 1 s); the
      // script cache is empty too, which ioredis handles by sending the body.
      const beat = await waitFor('a heartbeat after the restart', () => presence.heartbeat('A', 60_000), { retryErrors: true, intervalMs: 100 });
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

  it('ping fails within its timeout on a hung Redis, at once on a lost connection, and answers again once Redis is back', async () => {
    const server = await startRedis();
    let restarted: RedisService | undefined;
    const presence = new RedisPresence(server.url, { keyPrefix: uniqueRedisPrefix(), pingTimeoutMs: 200 });
    try {
      await presence.ping();
      server.pause();
      // The ping's own 200 ms timer answered, not the client's 2 s command timeout: a readiness check must not
      // wait for that. The cause names which timer fired, with no clock in the test.
      const hung = await presence.ping().catch((e: unknown) => e);
      expect(hung).toMatchObject({ code: 'UNAVAILABLE' });
      expect((hung as ParleyError).cause).toMatchObject({ message: 'no PING answer within 200 ms' });
      server.resume();
      await server.stop();
      await expect(presence.ping()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      restarted = await startRedisOnPort(server.port);
      await waitFor('a ping answered after the restart', () => presence.ping().then(() => true), { retryErrors: true, intervalMs: 100 });
    } finally {
      await presence.close();
      await server.stop();
      await restarted?.stop();
    }
  });

  it('restores large session lists in batches', async () => {
    const keyPrefix = uniqueRedisPrefix();
    const presence = new RedisPresence(testRedisUrl(), { keyPrefix, restoreBatchSize: 7 });
    const admin = createRedisClient(testRedisUrl());
    try {
      await presence.heartbeat('A', 60_000);
      const sessions = Array.from({ length: 50 }, (_, i) => ({ userId: `u${i % 20}`, sessionId: `s${i}` }));
      const online = await presence.restoreSessions('A', sessions);
      expect(online.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `u${i}`).sort());
      expect(await admin.hlen(`${keyPrefix}node:A:sessions`)).toBe(50);
    } finally {
      await presence.close();
      await deleteRedisPrefix(admin, keyPrefix);
      await admin.quit();
    }
  });
});
