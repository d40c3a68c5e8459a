import { StoreError } from '@parley/domain';

/**
 * Causes that a database still coming up gives, which waiting cures: nothing
 * listens yet (refused), its name is not in DNS yet (a container not started),
 * no answer in time, or a server shutting down / initialising / restarting.
 * Access denied, a missing database or a bad URL are not retried: waiting
 * would only hide them.
 */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
  'PROTOCOL_CONNECTION_LOST',
  'ER_SERVER_SHUTDOWN',
  'ER_SERVER_OFFLINE_MODE',
  'ER_CONNECTION_KILLED',
]);

interface CodedError {
  code?: unknown;
}

/** True when `err` (or a cause under it) is one a database still starting would give. */
export function isTransientStartupError(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    // The pool's own deadline on getting a connection: the server did not answer in time.
    if (current instanceof StoreError && current.reason === 'connection-timeout') return true;
    const code = typeof current === 'object' ? (current as CodedError).code : undefined;
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    // AggregateError (a name resolving to several addresses, each refused).
    if (current instanceof AggregateError && current.errors.some(isTransientStartupError)) return true;
    current = current instanceof Error ? current.cause : undefined;
  }
  return false;
}
