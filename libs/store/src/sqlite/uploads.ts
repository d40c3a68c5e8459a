import { StoreError, type UploadStore } from '@parley/domain';
import type { Attachment } from '@parley/protocol';
import { ATTACHMENT_FOR_MEMBER_SELECT, UPLOAD_COLUMNS, claimVerdict, newUploadValues, toUpload, type UploadRow } from '../rows/uploads';
import type { SqliteConnection } from './connection';

/** Upload records on SQLite. */
export function sqliteUploadStore(conn: SqliteConnection): UploadStore {
  const getUpload = (id: string) => {
    const row = conn.get<UploadRow>(`SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE id = ?`, id);
    return row ? toUpload(row) : null;
  };
  const mustGet = (id: string) => {
    const upload = getUpload(id);
    if (!upload) throw new StoreError('upload-not-found');
    return upload;
  };

  return {
    createUpload: (u) =>
      conn.run(() => {
        conn.stmt(`INSERT INTO uploads (${UPLOAD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL)`).run(...newUploadValues(u));
      }),

    countOpenUploads: (ownerId, now) =>
      conn.run(
        () =>
          conn.get<{ n: number }>('SELECT COUNT(*) AS n FROM uploads WHERE owner_id = ? AND expires_at > ? AND conversation_id IS NULL', ownerId, now)
            ?.n ?? 0,
      ),

    getUpload: (id) => conn.run(() => getUpload(id)),

    markUploadReady: (id, attachment) =>
      conn.write(() => {
        mustGet(id);
        conn.stmt(`UPDATE uploads SET status = 'ready', attachment = ? WHERE id = ? AND status = 'pending'`).run(JSON.stringify(attachment), id);
        return mustGet(id);
      }),

    claimUpload: (id, ownerId, conversationId, clientMsgId) =>
      conn.write(() => {
        const upload = getUpload(id);
        const verdict = claimVerdict(upload, ownerId, conversationId, clientMsgId);
        if (verdict === 'claim') {
          conn.stmt('UPDATE uploads SET conversation_id = ?, client_msg_id = ? WHERE id = ?').run(conversationId, clientMsgId, id);
          return mustGet(id);
        }
        if (verdict === 'same') return mustGet(id);
        throw new StoreError(verdict);
      }),

    listExpiredUploads: (now, limit) =>
      conn.run(() =>
        conn
          .all<UploadRow>(`SELECT ${UPLOAD_COLUMNS} FROM uploads WHERE conversation_id IS NULL AND expires_at < ? ORDER BY expires_at, id LIMIT ?`, now, limit)
          .map(toUpload),
      ),

    deleteUpload: (id, options) =>
      conn.run(() => {
        const unclaimed = options?.unclaimedOnly ? ' AND conversation_id IS NULL' : '';
        return conn.stmt(`DELETE FROM uploads WHERE id = ?${unclaimed}`).run(id).changes > 0;
      }),

    getAttachmentForMember: (attachmentId, userId) =>
      conn.run(() => {
        const row = conn.get<{ attachment: string }>(ATTACHMENT_FOR_MEMBER_SELECT, userId, attachmentId);
        return row ? (JSON.parse(row.attachment) as Attachment) : null;
      }),
  };
}
