import { z } from 'zod';
import { strongSecret } from './secret-strength';

/** Environment keys several apps share; each app merges the fragments it needs. */
export const logEnv = z.object({
  PARLEY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/**
 * How long an access token lives unless configured: written once, used by the
 * schema and the token service. Minutes: clients renew it with their refresh
 * token, and a revoked session's token dies with it at the latest.
 */
export const DEFAULT_JWT_TTL_SECONDS = 900;
/** The longest an access token may be configured to live (one day). */
export const MAX_JWT_TTL_SECONDS = 86_400;

export const jwtEnv = z.object({
  /** HS256 secret shared by gateways and IM nodes: ≥ 32 characters, no placeholder, enough entropy. */
  PARLEY_JWT_SECRET: strongSecret(),
  PARLEY_JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(MAX_JWT_TTL_SECONDS).default(DEFAULT_JWT_TTL_SECONDS),
});

export const storeEnv = z.object({
  /** `mysql` needs PARLEY_MYSQL_URL; `sqlite` uses PARLEY_SQLITE_PATH. */
  PARLEY_STORE: z.enum(['mysql', 'sqlite']).default('mysql'),
  PARLEY_MYSQL_URL: z.string().startsWith('mysql://').default('mysql://root@127.0.0.1:3306/parley'),
  PARLEY_SQLITE_PATH: z.string().default('data/parley.db'),
  /**
   * Seconds to wait at start for a database still coming up (refused, not in
   * DNS yet, no answer, initialising), with backoff; 0 fails at once.
   */
  PARLEY_STORE_WAIT_SEC: z.coerce.number().int().min(0).max(3_600).default(60),
});

export const consulEnv = z.object({
  PARLEY_CONSUL_ADDR: z.string().default('127.0.0.1:8500'),
  /** The IM nodes' Consul service. */
  PARLEY_CONSUL_SERVICE: z.string().default('parley-im'),
  /** The gateways' Consul service (their relay addresses). */
  PARLEY_CONSUL_GATEWAY_SERVICE: z.string().min(1).default('parley-gateway'),
  /** Consul ACL token sent with every request (X-Consul-Token); unset: none. Never logged. */
  PARLEY_CONSUL_TOKEN: z.string().min(1).optional(),
});

/** The store engine an app's parsed storeEnv asks for, in the shape `openStore` takes. */
export function storeConfigOf(
  env: z.output<typeof storeEnv>,
): { kind: 'mysql'; url: string } | { kind: 'sqlite'; filename: string } {
  return env.PARLEY_STORE === 'mysql'
    ? { kind: 'mysql', url: env.PARLEY_MYSQL_URL }
    : { kind: 'sqlite', filename: env.PARLEY_SQLITE_PATH };
}

/** How long `openStore` may wait for the database (PARLEY_STORE_WAIT_SEC), in ms. */
export function storeWaitMsOf(env: z.output<typeof storeEnv>): number {
  return env.PARLEY_STORE_WAIT_SEC * 1_000;
}
