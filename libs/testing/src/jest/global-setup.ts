import { startMariadb } from '../mariadb';
import { startRedis } from '../redis';
import type { TestService } from '../service';

/**
 * Starts a throwaway MariaDB and Redis for the whole run unless the developer
 * points PARLEY_TEST_MYSQL_URL / PARLEY_TEST_REDIS_URL at existing ones.
 * Workers inherit the URLs through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const started: TestService[] = [];
  const [mysql, redis] = await Promise.all([
    process.env.PARLEY_TEST_MYSQL_URL ? undefined : startMariadb(),
    process.env.PARLEY_TEST_REDIS_URL ? undefined : startRedis(),
  ]);
  if (mysql) {
    started.push(mysql);
    process.env.PARLEY_TEST_MYSQL_URL = mysql.url;
  }
  if (redis) {
    started.push(redis);
    process.env.PARLEY_TEST_REDIS_URL = redis.url;
  }
  (globalThis as { __parleyTestServices?: TestService[] }).__parleyTestServices = started;
}
