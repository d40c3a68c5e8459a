import Redis, { type RedisOptions } from 'ioredis';

/**
 * ioredis defaults that make commands fail fast while Redis is unreachable,
 * instead of waiting in the offline queue for the server to come back:
 *
 * - `enableOfflineQueue: true` (kept): a command issued before the first
 *   connection is ready (or during a reconnect) waits for it rather than
 *   failing at once, so start-up needs no explicit connect().
 * - `maxRetriesPerRequest: 0`: every failed (re)connection attempt flushes
 *   the queue with an error, so a queued command fails after at most one
 *   reconnect attempt (~retry delay), not after 20 (ioredis default).
 * - `retryStrategy`: reconnect forever, quickly (100 ms steps, capped at 1 s),
 *   so a restarted Redis is picked up within a second.
 * - `connectTimeout: 2_000`, `commandTimeout: 2_000`: a black-holed or hung
 *   server (socket open, no answers) fails commands too.
 * - `disconnectTimeout: 200`: disconnect() while the server is down arms a
 *   timer on the already-dead socket (2 s by default) that holds the process
 *   open; keep it short.
 * - `enableAutoPipelining: true`: commands issued in one turn of the event
 *   loop (the send quotas and presence updates of every socket read in that
 *   turn) leave in one write and come back in one read. Under load this is
 *   most of a node's Redis syscalls (issue 16); each command keeps its own
 *   result and error.
 */
export const FAIL_FAST_REDIS_OPTIONS: Readonly<RedisOptions> = Object.freeze({
  enableOfflineQueue: true,
  maxRetriesPerRequest: 0,
  retryStrategy: (times: number) => Math.min(times * 100, 1_000),
  connectTimeout: 2_000,
  commandTimeout: 2_000,
  disconnectTimeout: 200,
  enableAutoPipelining: true,
});

/**
 * A client with FAIL_FAST_REDIS_OPTIONS (overridable). Connection errors are
 * passed to `onError` (default: ignored, since every command reports its own
 * failure) so ioredis does not print "Unhandled error event".
 */
export function createRedisClient(
  url: string,
  overrides: RedisOptions = {},
  onError: (err: Error) => void = () => {},
): Redis {
  const client = new Redis(url, { ...FAIL_FAST_REDIS_OPTIONS, ...overrides });
  client.on('error', onError);
  return client;
}
