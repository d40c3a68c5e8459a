import { StoreError, type UploadRecord, type UploadStore } from '@parley/domain';
import type { Attachment } from '@parley/protocol';
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { ATTACHMENT_FOR_MEMBER_SELECT, UPLOAD_COLUMNS, claimVerdict, newUploadValues, toUpload, type UploadRow } from '../rows/uploads';
import type { MysqlConnection } from './connection';

/** Upload records on MySQL. */
export function mysqlUploadStore(conn: MysqlConnection): UploadStore {
  const getUpload = async (id: string): Promise<UploadRecord | null> => {
    const [row] = await conn.select<UploadRow>(`SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE id = ?`, [id]);
    return row ? toUpload(row) : null;
  };
  const lockUpload = async (c: PoolConnection, id: string): Promise<UploadRecord | null> => {
    const [found] = await c.query<RowDataPacket[]>(`SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE id = ? FOR UPDATE`, [id]);
    const row = found[0] as UploadRow | undefined;
    return row ? toUpload(row) : null;
  };

  return {
    async createUpload(u) {
      await conn.execute(`INSERT INTO uploads (${UPLOAD_COLUMNS}) VALUES (?, NULL, NULL, NULL)`, [newUploadValues(u)]);
    },

    async countOpenUploads(ownerId, now) {
      const [row] = await conn.select<{ n: number }>(
        'SELECT COUNT(*) AS n FROM uploads WHERE owner_id = ? AND expires_at > ? AND conversation_id IS NULL',
        [ownerId, now],
      );
      return Number(row?.n ?? 0);
    },

    getUpload,

    async markUploadReady(id, attachment) {
      await conn.execute(`UPDATE uploads SET status = 'ready', attachment = ? WHERE id = ? AND status = 'pending'`, [JSON.stringify(attachment), id]);
      const upload = await getUpload(id);
      if (!upload) throw new StoreError('upload-not-found');
      return upload;
    },

    claimUpload: (id, ownerId, conversationId, clientMsgId) =>
      conn.transaction(async (c) => {
        const upload = await lockUpload(c, id);
        const verdict = claimVerdict(upload, ownerId, conversationId, clientMsgId);
        if (verdict !== 'claim' && verdict !== 'same') throw new StoreError(verdict);
        if (!upload) throw new StoreError('upload-not-found');
        if (verdict === 'same') return upload;
        await c.query('UPDATE uploads SET conversation_id = ?, client_msg_id = ? WHERE id = ?', [conversationId, clientMsgId, id]);
        return { ...upload, conversationId, clientMsgId };
      }),

    async listExpiredUploads(now, limit) {
      const rows = await conn.select<UploadRow>(
        `SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE conversation_id IS NULL AND expires_at < ? ORDER BY expires_at, id LIMIT ?`,
        [now, limit],
      );
      return rows.map(toUpload);
    },

    async deleteUpload(id, options) {
      const unclaimed = options?.unclaimedOnly ? ' AND conversation_id IS NULL' : '';
      const result = await conn.execute(`DELETE FROM uploads WHERE id = ?${unclaimed}`, [id]);
      return result.affectedRows > 0;
    },

    async getAttachmentForMember(attachmentId, userId) {
      const [row] = await conn.select<{ attachment: string }>(ATTACHMENT_FOR_MEMBER_SELECT, [userId, attachmentId]);
      return row ? (JSON.parse(row.attachment) as Attachment) : null;
    },
  };
}
