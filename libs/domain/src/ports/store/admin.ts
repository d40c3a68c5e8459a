import type { AdminAction } from '@parley/protocol';
import type { UserRecord } from './users';

/** One operator action, as the audit log keeps it (never changed or removed by the API). */
export interface AuditRecord {
  /** Sortable (ULID): newer entries have greater ids. */
  id: string;
  at: number;
  actorId: string;
  action: AdminAction;
  /** A node id, user id or notice id. */
  target: string;
  /** What the action did, in words (at most 1,000 characters). */
  detail: string;
  gatewayId: string;
}

/** The operator's side of the store: suspensions, the admin role and the audit log. */
export interface AdminStore {
  /**
   * In one transaction: marks the user suspended at `at` and revokes every
   * active session of theirs (reason `suspended`); returns the user after and
   * the session ids revoked. Suspending a suspended user changes nothing and
   * revokes what is active (none). A suspended user cannot create a session
   * (createAuthSession returns null) nor rotate a refresh token (`inactive`).
   * StoreError `user-not-found` for an unknown or deleted user.
   */
  suspendUser(userId: string, at: number): Promise<{ user: UserRecord; sessionIds: string[] }>;
  /** Lifts a suspension (no-op when there is none). StoreError `user-not-found` for an unknown or deleted user. */
  unsuspendUser(userId: string): Promise<UserRecord>;
  /** Grants or removes the admin role kept in the store. StoreError `user-not-found` for an unknown or deleted user. */
  setUserAdmin(userId: string, admin: boolean): Promise<UserRecord>;
  appendAudit(entry: AuditRecord): Promise<void>;
  /** Newest first; `before` an entry id: only entries older than it. */
  listAudit(limit: number, before?: string): Promise<AuditRecord[]>;
}
