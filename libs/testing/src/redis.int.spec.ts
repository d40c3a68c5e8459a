import { existsSync } from 'node:fs';
import Redis from 'ioredis';
import { at } from './at';
import { startRedis, startRedisOnPort } from './redis';

const quickClient = (url: string): Redis => {
  const client = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
  client.on('error', () => {});
  return client;
};

const configDir = async (client: Redis): Promise<string> => {
  const reply = (await client.config('GET', 'dir')) as string[];
  return at(reply, 1, 'CONFIG GET value'); // the reply is [name, value]
};

describe('startRedis', () => {
  it('starts an empty, non-persistent Redis on loopback and removes it on stop', async () => {
    const server = await startRedis();
    const client = quickClient(server.url);
    try {
      expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
      expect(await client.ping()).toBe('PONG');
      expect(await client.dbsize()).toBe(0);
      expect(await client.config('GET', 'save')).toEqual(['save', '']);
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
      const dir = await configDir(client);
      expect(existsSync(dir)).toBe(true);

      client.disconnect();
      await server.stop();
      expect(existsSync(dir)).toBe(false);
      await expect(quickClient(server.url).ping()).rejects.toThrow();
    } finally {
      client.disconnect();
      await server.stop();
    }
  });

  it('restarts on the same port with empty data', async () => {
    const first = await startRedis();
    const before = quickClient(first.url);
    await before.set('k', 'v');
    before.disconnect();
    await first.stop();

    const second = await startRedisOnPort(first.port);
    const after = quickClient(second.url);
    try {
      expect(second.url).toBe(first.url);
      expect(await after.get('k')).toBeNull();
    } finally {
      after.disconnect();
      await second.stop();
    }
  });

  it('pauses and resumes the server', async () => {
    const server = await startRedis();
    const client = new Redis(server.url, { commandTimeout: 300, maxRetriesPerRequest: 0 });
    client.on('error', () => {});
    try {
      expect(await client.ping()).toBe('PONG');
      server.pause();
      await expect(client.ping()).rejects.toThrow(/timed out/i);
      server.resume();
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
      await server.stop();
    }
  });

  it('fails with the server output when the port is taken', async () => {
    const server = await startRedis();
    try {
      await expect(startRedisOnPort(server.port, { startTimeoutMs: 3_000 })).rejects.toThrow(
        new RegExp(`did not start on port ${server.port}`),
      );
    } finally {
      await server.stop();
    }
  });
});
