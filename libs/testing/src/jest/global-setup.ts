import type { TestService } from '../service';

/**
 * Starts a throwaway MariaDB and Redis for the whole run unless the developer
 * points PARLEY_TEST_MYSQL_URL / PARLEY_TEST_REDIS_URL at existing ones.
 * Workers inherit the URLs through the environment. PARLEY_TEST_SERVICES=none
 * skips both, for quick unit-only runs.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.PARLEY_TEST_SERVICES === 'none') return;
  // Loaded lazily so a unit-only run needs neither server installed.
  const { startMariadb } = await import('../mariadb');
  const { startRedis } = await import('../redis');
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
