import type { Attachment } from '@parley/protocol';

/** An upload ticket's record: pending until its bytes are checked, then ready, then claimed by one message. */
export interface UploadRecord {
  id: string;
  ownerId: string;
  /** The cleaned file name. */
  name: string;
  /** The size the ticket allowed (the bytes are measured again when checked). */
  declaredSize: number;
  createdAt: number;
  /** Unclaimed after this time, the upload and its bytes are swept. */
  expiresAt: number;
  status: 'pending' | 'ready';
  /** Set once ready: what the bytes turned out to be. */
  attachment: Attachment | null;
  /** Set once a message claimed it: the conversation and the sender's clientMsgId. */
  conversationId: string | null;
  clientMsgId: string | null;
}

export interface NewUpload {
  id: string;
  ownerId: string;
  name: string;
  declaredSize: number;
  createdAt: number;
  expiresAt: number;
}

/** Uploads and the attachments they become. */
export interface UploadStore {
  createUpload(upload: NewUpload): Promise<void>;
  /** Uploads of the owner not claimed by a message and not expired at `now` (the per-user cap). */
  countOpenUploads(ownerId: string, now: number): Promise<number>;
  getUpload(id: string): Promise<UploadRecord | null>;
  /** pending -> ready with what the bytes are; ready already: no change. StoreError `upload-not-found`. */
  markUploadReady(id: string, attachment: Attachment): Promise<UploadRecord>;
  /**
   * Ties a ready upload of `ownerId` to the message being sent, atomically:
   * answers the record when it is ready and unclaimed, or claimed by the same
   * (conversationId, clientMsgId) (a retried send). StoreError
   * `upload-not-found` (missing, or someone else's), `upload-not-ready`,
   * `upload-used` (claimed by another message).
   */
  claimUpload(id: string, ownerId: string, conversationId: string, clientMsgId: string): Promise<UploadRecord>;
  /** Unclaimed uploads whose expiresAt is before `now`, oldest first. */
  listExpiredUploads(now: number, limit: number): Promise<UploadRecord[]>;
  /**
   * Forgets an upload (swept, or recalled with its message); answers whether
   * a record went. `unclaimedOnly` (the sweep): only when no message claimed
   * it, in the same statement, so a sweep never removes a claimed upload.
   */
  deleteUpload(id: string, options?: { unclaimedOnly?: boolean }): Promise<boolean>;
  /**
   * The attachment of a claimed upload when `userId` is a member of the
   * conversation it was sent in and its message is not recalled; else null
   * (never says which).
   */
  getAttachmentForMember(attachmentId: string, userId: string): Promise<Attachment | null>;
}
