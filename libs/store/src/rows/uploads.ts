import type { NewUpload, UploadRecord } from '@parley/domain';
import type { Attachment } from '@parley/protocol';

export interface UploadRow {
  id: string;
  owner_id: string;
  name: string;
  declared_size: number;
  created_at: number;
  expires_at: number;
  status: string;
  attachment: string | null;
  conversation_id: string | null;
  client_msg_id: string | null;
}

export const UPLOAD_COLUMNS = 'id, owner_id, name, declared_size, created_at, expires_at, status, attachment, conversation_id, client_msg_id';

export function newUploadValues(u: NewUpload): (string | number)[] {
  return [u.id, u.ownerId, u.name, u.declaredSize, u.createdAt, u.expiresAt, 'pending'];
}

export function toUpload(row: UploadRow): UploadRecord {
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    declaredSize: Number(row.declared_size),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    status: row.status === 'ready' ? 'ready' : 'pending',
    attachment: row.attachment === null ? null : (JSON.parse(row.attachment) as Attachment),
    conversationId: row.conversation_id,
    clientMsgId: row.client_msg_id,
  };
}

/** claimUpload's verdict on the record as read under lock: 'claim' it, answer it as it is ('same'), or why not. */
export function claimVerdict(
  upload: UploadRecord | null,
  ownerId: string,
  conversationId: string,
  clientMsgId: string,
): 'claim' | 'same' | 'upload-not-found' | 'upload-not-ready' | 'upload-used' {
  if (!upload || upload.ownerId !== ownerId) return 'upload-not-found';
  if (upload.conversationId !== null) {
    return upload.conversationId === conversationId && upload.clientMsgId === clientMsgId ? 'same' : 'upload-used';
  }
  if (upload.status !== 'ready') return 'upload-not-ready';
  return 'claim';
}

/**
 * The attachment of a claimed upload for a member of its conversation whose
 * message is there and not recalled; bind attachment id, user id.
 */
export const ATTACHMENT_FOR_MEMBER_SELECT = `SELECT u.attachment FROM uploads u
  JOIN conversation_members cm ON cm.conversation_id = u.conversation_id AND cm.user_id = ?
  JOIN messages m ON m.sender_id = u.owner_id AND m.client_msg_id = u.client_msg_id AND m.conversation_id = u.conversation_id
  WHERE u.id = ? AND u.attachment IS NOT NULL AND m.recalled_at IS NULL`;
