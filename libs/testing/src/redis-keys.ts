import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';

/** The Redis the jest global setup started (or PARLEY_TEST_REDIS_URL named). */
export function testRedisUrl(): string {
  const url = process.env.PARLEY_TEST_REDIS_URL;
  if (!url) throw new Error('PARLEY_TEST_REDIS_URL is not set (the jest global setup starts a Redis)');
  return url;
}

/** A key prefix of one test's own, so parallel tests on one Redis never meet. */
export function uniqueRedisPrefix(): string {
  return `parley-test:${randomBytes(6).toString('hex')}:`;
}

/** Deletes only the keys under `prefix`, so parallel tests on the same Redis are untouched. */
export async function deleteRedisPrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
