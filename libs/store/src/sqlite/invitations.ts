import { StoreError, type GroupInvitationRecord, type InvitationStore } from '@parley/domain';
import {
  COUNT_PENDING_INVITATIONS,
  INVITATION_SELECT,
  LIST_PENDING_INVITATIONS,
  PENDING_BETWEEN,
  PENDING_BY_INVITER,
  RESOLVE_INVITATION,
  insertGroupInvitation,
  invitationPendingKey,
  toGroupInvitation,
  type GroupInvitationRow,
  type InvitationCountRow,
} from '../rows/invitations';
import { pendingRecord } from '../rows/requests';
import type { SqliteConnection } from './connection';
import { addGroupMembersIn } from './groups';

/** Group invitations on SQLite; every check and change of one call runs in one write transaction. */
export function sqliteInvitationStore(conn: SqliteConnection): InvitationStore {
  const invitationWhere = (where: string, value: string): GroupInvitationRow | undefined =>
    conn.get<GroupInvitationRow>(`${INVITATION_SELECT} WHERE ${where}`, value);

  /** The pending invitation `id` (request-not-found / request-resolved otherwise). */
  const pendingRow = (id: string): GroupInvitationRow => {
    const row = invitationWhere('i.id = ?', id);
    if (!row) throw new StoreError('request-not-found');
    if (row.status !== 'pending') throw new StoreError('request-resolved', { status: toGroupInvitation(row).status });
    return row;
  };

  const resolve = (row: GroupInvitationRow, status: 'accepted' | 'rejected' | 'cancelled', at: number): GroupInvitationRecord => {
    conn.stmt(RESOLVE_INVITATION).run(status, at, row.id);
    return { ...toGroupInvitation(row), status, updatedAt: at };
  };

  const withdraw = (where: string, params: unknown[], at: number): Promise<GroupInvitationRecord[]> =>
    conn.write(() => conn.all<GroupInvitationRow>(`${INVITATION_SELECT} WHERE ${where}`, ...params).map((row) => resolve(row, 'cancelled', at)));

  return {
    createGroupInvitation: (invitation, limits) =>
      conn.write(() => {
        if (!conn.get('SELECT 1 FROM "groups" WHERE id = ?', invitation.groupId)) throw new StoreError('group-not-found');
        if (!conn.get('SELECT 1 FROM users WHERE id = ?', invitation.inviteeId)) throw new StoreError('user-not-found');
        const existing = invitationWhere('i.pending_key = ?', invitationPendingKey(invitation.groupId, invitation.inviteeId));
        if (existing && Number(existing.live) === 1) return { invitation: toGroupInvitation(existing), created: false };
        if (existing) resolve(existing, 'cancelled', invitation.createdAt);
        const counts = conn.get<InvitationCountRow>(COUNT_PENDING_INVITATIONS, invitation.inviterId, invitation.inviteeId);
        if (Number(counts?.total) >= limits.perInvitee || Number(counts?.from_inviter) >= limits.perInviter) {
          throw new StoreError('too-many-invitations');
        }
        const insert = insertGroupInvitation(invitation);
        conn.stmt(insert.sql).run(...insert.params);
        return { invitation: pendingRecord(invitation), created: true };
      }),

    getGroupInvitation: (id) =>
      conn.run(() => {
        const row = invitationWhere('i.id = ?', id);
        return row ? toGroupInvitation(row) : null;
      }),

    listPendingGroupInvitations: (inviteeId, limit) =>
      conn.run(() => conn.all<GroupInvitationRow>(LIST_PENDING_INVITATIONS, inviteeId, limit).map(toGroupInvitation)),

    declineGroupInvitation: (id, at) => conn.write(() => resolve(pendingRow(id), 'rejected', at)),

    acceptGroupInvitation: (id, at, maxMembers) =>
      conn.write(() => {
        const row = pendingRow(id);
        if (Number(row.live) !== 1) return { invitation: resolve(row, 'cancelled', at), joined: false };
        const added = addGroupMembersIn(conn, row.group_id, [row.invitee_id], at, maxMembers);
        return { invitation: resolve(row, 'accepted', at), joined: added.length > 0 };
      }),

    withdrawGroupInvitationsBy: (groupId, inviterId, at) => withdraw(PENDING_BY_INVITER, [groupId, inviterId], at),

    withdrawGroupInvitationsBetween: (userId, otherId, at) => withdraw(PENDING_BETWEEN, [userId, otherId, otherId, userId], at),
  };
}
