import { StoreError, type AuditRecord } from '@parley/domain';
import type { AdminAction } from '@parley/protocol';

/*
 * The operator's side of the store (AdminStore), shared by both engines:
 * suspension and the admin role are columns of `users`; the audit log is its
 * own append-only table.
 */

/** The live (not deleted) user row an admin action applies to, or none: user-not-found. */
export const LIVE_USER_SQL = 'SELECT id FROM users WHERE id = ? AND deleted_at IS NULL';

/** Keeps the first suspension's time: suspending a suspended user changes nothing. Params: at, user id. */
export const SUSPEND_USER_SQL = 'UPDATE users SET suspended_at = COALESCE(suspended_at, ?) WHERE id = ? AND deleted_at IS NULL';

export const UNSUSPEND_USER_SQL = 'UPDATE users SET suspended_at = NULL WHERE id = ? AND deleted_at IS NULL';

/** Params: 1 or 0, user id. */
export const SET_USER_ADMIN_SQL = 'UPDATE users SET is_admin = ? WHERE id = ? AND deleted_at IS NULL';

export interface AuditRow {
  id: string;
  at: number;
  actor_id: string;
  action: string;
  target: string;
  detail: string;
  gateway_id: string;
}

export const AUDIT_COLUMNS = 'id, at, actor_id, action, target, detail, gateway_id';

export const INSERT_AUDIT_SQL = `INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`;

/** The widths of audit_log's text columns in characters (code points, as MySQL counts them): migrations/mysql.ts. */
export const AUDIT_WIDTHS = { id: 64, actorId: 64, action: 32, target: 255, detail: 1000, gatewayId: 128 } as const;

/**
 * An entry's row values. A value wider than its column is refused
 * (`value-too-large`) by both engines alike, as MySQL would: SQLite would
 * keep any length.
 */
export function insertAuditParams(entry: AuditRecord): unknown[] {
  for (const [field, width] of Object.entries(AUDIT_WIDTHS) as [keyof typeof AUDIT_WIDTHS, number][]) {
    if ([...entry[field]].length > width) throw new StoreError('value-too-large');
  }
  return [entry.id, entry.at, entry.actorId, entry.action, entry.target, entry.detail, entry.gatewayId];
}

/**
 * Newest first, walked by the primary key (ids are ULIDs, compared binary):
 * the key is the index this query needs, so no other index is kept.
 */
export const LIST_AUDIT_SQL = `SELECT ${AUDIT_COLUMNS} FROM audit_log ORDER BY id DESC LIMIT ?`;
export const LIST_AUDIT_BEFORE_SQL = `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?`;

/** The statement and params of listAudit; a limit below 1 reads nothing. */
export function listAuditQuery(limit: number, before: string | undefined): { sql: string; params: unknown[] } {
  const n = Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : 0;
  return before === undefined ? { sql: LIST_AUDIT_SQL, params: [n] } : { sql: LIST_AUDIT_BEFORE_SQL, params: [before, n] };
}

export function toAudit(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    at: Number(row.at),
    actorId: row.actor_id,
    action: row.action as AdminAction,
    target: row.target,
    detail: row.detail,
    gatewayId: row.gateway_id,
  };
}
