import { StoreError } from '@parley/domain';
import { ParleyError } from '@parley/protocol';

/** The subset of mysql2's QueryError we look at. */
interface MysqlLikeError {
  code?: string;
  errno?: number;
  fatal?: boolean;
  message?: string;
}

const asMysqlError = (err: unknown): MysqlLikeError =>
  typeof err === 'object' && err !== null ? (err as MysqlLikeError) : {};

/** Codes meaning "the database cannot be reached or refused us": retrying later may help. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'POOL_CLOSED',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_ACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_QUERY_INTERRUPTED',
]);

/** Deadlocks and lock waits are resolved by running the transaction again. */
export function isRetryableTransactionError(err: unknown): boolean {
  const { code } = asMysqlError(err);
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}

/** A connection that saw a fatal error must not go back to the pool. */
export function isFatalConnectionError(err: unknown): boolean {
  return asMysqlError(err).fatal === true;
}

/** True for a duplicate-key error on the named unique key (or the primary key with 'PRIMARY'). */
export function isDuplicateKey(err: unknown, key: string): boolean {
  // Also recognised once wrapped by toStoreError.
  const e = asMysqlError(err instanceof ParleyError ? err.cause : err);
  // MariaDB says "for key 'uq_x'", MySQL 8 "for key 'table.uq_x'".
  return e.code === 'ER_DUP_ENTRY' && new RegExp(`for key '(?:[^']*\\.)?${key}'`).test(e.message ?? '');
}

/** Maps anything a mysql2 call threw to a ParleyError (a StoreError naming the reason), keeping the original as `cause`. */
export function toStoreError(err: unknown): ParleyError {
  if (err instanceof ParleyError) return err;
  const e = asMysqlError(err);
  const code = e.code ?? '';
  if (UNAVAILABLE_CODES.has(code) || e.fatal === true) return new StoreError('unavailable', { cause: err });
  switch (code) {
    case 'ER_NO_REFERENCED_ROW':
    case 'ER_NO_REFERENCED_ROW_2':
      return new StoreError('referenced-missing', { cause: err });
    case 'ER_DUP_ENTRY':
      return new StoreError('duplicate', { cause: err });
    case 'ER_DATA_TOO_LONG':
    case 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD':
      return new StoreError('value-too-large', { cause: err });
    default:
      return new StoreError('internal', { cause: err });
  }
}
