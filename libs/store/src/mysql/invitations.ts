import {
  StoreError,
  type GroupInvitationRecord,
  type InvitationLimits,
  type InvitationStore,
  type NewGroupInvitation,
} from '@parley/domain';
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
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
import type { MysqlConnection } from './connection';
import { isDuplicateKey } from './errors';
import { addGroupMembersIn } from './groups';

type Row<T> = T & RowDataPacket;

/** Group invitations on MySQL; every check and change of one call runs in one transaction. */
export function mysqlInvitationStore(conn: MysqlConnection): InvitationStore {
  /** The pending invitation `id`, locked (request-not-found / request-resolved otherwise). */
  const lockPending = async (c: PoolConnection, id: string): Promise<GroupInvitationRow> => {
    const [rows] = await c.query<Row<GroupInvitationRow>[]>(`${INVITATION_SELECT} WHERE i.id = ? FOR UPDATE`, [id]);
    const row = rows[0];
    if (!row) throw new StoreError('request-not-found');
    if (row.status !== 'pending') throw new StoreError('request-resolved', { status: toGroupInvitation(row).status });
    return row;
  };

  const resolve = async (
    c: PoolConnection,
    row: GroupInvitationRow,
    status: 'accepted' | 'rejected' | 'cancelled',
    at: number,
  ): Promise<GroupInvitationRecord> => {
    await c.query(RESOLVE_INVITATION, [status, at, row.id]);
    return { ...toGroupInvitation(row), status, updatedAt: at };
  };

  const withdraw = (where: string, params: unknown[], at: number): Promise<GroupInvitationRecord[]> =>
    conn.transaction(async (c) => {
      const [rows] = await c.query<Row<GroupInvitationRow>[]>(`${INVITATION_SELECT} WHERE ${where} FOR UPDATE`, params);
      const withdrawn: GroupInvitationRecord[] = [];
      for (const row of rows) withdrawn.push(await resolve(c, row, 'cancelled', at));
      return withdrawn;
    });

  /**
   * The invitee's row is locked FIRST: under REPEATABLE READ the snapshot is
   * taken by the first plain read, so any read before the lock would let the
   * existing-invitation and limit checks below see rows from before the
   * writer we waited for (and count past the limits, or insert a duplicate).
   */
  const createIn = async (c: PoolConnection, invitation: NewGroupInvitation, limits: InvitationLimits, key: string) => {
    const [users] = await c.query<RowDataPacket[]>('SELECT 1 FROM users WHERE id = ? FOR UPDATE', [invitation.inviteeId]);
    if (!users[0]) throw new StoreError('user-not-found');
    const [groups] = await c.query<RowDataPacket[]>('SELECT 1 FROM `groups` WHERE id = ?', [invitation.groupId]);
    if (!groups[0]) throw new StoreError('group-not-found');
    const [existing] = await c.query<Row<GroupInvitationRow>[]>(`${INVITATION_SELECT} WHERE i.pending_key = ? FOR UPDATE`, [key]);
    const pending = existing[0];
    if (pending && Number(pending.live) === 1) return { invitation: toGroupInvitation(pending), created: false };
    if (pending) await resolve(c, pending, 'cancelled', invitation.createdAt);
    const [counts] = await c.query<Row<InvitationCountRow>[]>(COUNT_PENDING_INVITATIONS, [invitation.inviterId, invitation.inviteeId]);
    if (Number(counts[0]?.total) >= limits.perInvitee || Number(counts[0]?.from_inviter) >= limits.perInviter) {
      throw new StoreError('too-many-invitations');
    }
    const insert = insertGroupInvitation(invitation);
    await c.query(insert.sql, insert.params);
    return { invitation: pendingRecord(invitation), created: true };
  };

  return {
    async createGroupInvitation(invitation, limits) {
      const key = invitationPendingKey(invitation.groupId, invitation.inviteeId);
      try {
        return await conn.transaction((c) => createIn(c, invitation, limits, key));
      } catch (err) {
        // Only if a writer got past the invitee's lock (it should not): the pending one is the answer, as on a re-invite.
        if (!isDuplicateKey(err, 'uq_group_invitations_pending')) throw err;
        const rows = await conn.select<GroupInvitationRow>(`${INVITATION_SELECT} WHERE i.pending_key = ?`, [key]);
        const pending = rows[0];
        if (!pending) throw new StoreError('request-changed');
        return { invitation: toGroupInvitation(pending), created: false };
      }
    },

    async getGroupInvitation(id) {
      const rows = await conn.select<GroupInvitationRow>(`${INVITATION_SELECT} WHERE i.id = ?`, [id]);
      return rows[0] ? toGroupInvitation(rows[0]) : null;
    },

    async listPendingGroupInvitations(inviteeId, limit) {
      return (await conn.select<GroupInvitationRow>(LIST_PENDING_INVITATIONS, [inviteeId, limit])).map(toGroupInvitation);
    },

    declineGroupInvitation: (id, at) => conn.transaction(async (c) => resolve(c, await lockPending(c, id), 'rejected', at)),

    acceptGroupInvitation: (id, at, maxMembers) =>
      conn.transaction(async (c) => {
        const row = await lockPending(c, id);
        if (Number(row.live) !== 1) return { invitation: await resolve(c, row, 'cancelled', at), joined: false };
        const added = await addGroupMembersIn(c, row.group_id, [row.invitee_id], at, maxMembers);
        return { invitation: await resolve(c, row, 'accepted', at), joined: added.length > 0 };
      }),

    withdrawGroupInvitationsBy: (groupId, inviterId, at) => withdraw(PENDING_BY_INVITER, [groupId, inviterId], at),

    withdrawGroupInvitationsBetween: (userId, otherId, at) => withdraw(PENDING_BETWEEN, [userId, otherId, otherId, userId], at),
  };
}
