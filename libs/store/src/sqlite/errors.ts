import { StoreError } from '@parley/domain';
import { ParleyError } from '@parley/protocol';

interface SqliteLikeError {
  code?: string;
  message?: string;
}

const asSqliteError = (err: unknown): SqliteLikeError =>
  typeof err === 'object' && err !== null ? (err as SqliteLikeError) : {};

/** True for a UNIQUE/PRIMARY KEY clash naming `table.column` (first column of the index). */
export function isUniqueViolation(err: unknown, tableColumn: string): boolean {
  const e = asSqliteError(err);
  return (
    (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') &&
    (e.message ?? '').includes(tableColumn)
  );
}

/** Maps a better-sqlite3 error to a ParleyError (a StoreError naming the reason), keeping the original as `cause`. */
export function toStoreError(err: unknown): ParleyError {
  if (err instanceof ParleyError) return err;
  const code = asSqliteError(err).code ?? '';
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return new StoreError('referenced-missing', { cause: err });
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new StoreError('duplicate', { cause: err });
  }
  // Locked past busy_timeout, disk full, unreadable file, closed handle: the store cannot serve now.
  if (/^SQLITE_(BUSY|LOCKED|CANTOPEN|FULL|IOERR|READONLY|NOTADB|CORRUPT)/.test(code)) {
    return new StoreError('unavailable', { cause: err });
  }
  // Checked by message: the driver's TypeError may come from another realm (jest's vm), defeating instanceof.
  if (/database connection is not open/.test(asSqliteError(err).message ?? '')) {
    return new StoreError('closed', { cause: err });
  }
  return new StoreError('internal', { cause: err });
}
