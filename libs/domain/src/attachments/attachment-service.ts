import { ParleyError, type Attachment, type AttachmentLink, type AttachmentVariant, type UploadTicket, type UploadTicketBody } from '@parley/protocol';
import { silentLogger, type Logger } from '@parley/util';
import type { BlobStore, MediaInspector } from '../ports/blobs';
import type { Clock, IdGenerator } from '../ports/runtime';
import type { UploadRecord, UploadStore } from '../ports/store/uploads';
import type { BlobLinks } from './blob-links';
import { cleanFileName } from './file-names';
import type { MessageAttachments } from './message-attachments';
import { acceptedKey, checkUpload, thumbnailKey, uploadKeys } from './upload-check';

export interface AttachmentOptions {
  /** PARLEY_UPLOAD_MAX_BYTES. */
  maxBytes: number;
  /** PARLEY_UPLOAD_TTL_SEC: how long a ticket (and an unsent upload) lives. */
  ttlSec: number;
  /**
   * Uploads one user may have waiting (not sent, not expired). @default 20
   * Per gateway process and approximate: tickets are counted then created
   * in one queue per user and process, so several gateways together may let
   * a few more through.
   */
  maxOpenUploads?: number;
  /** How long download links work. @default 300 */
  linkTtlSec?: number;
  /**
   * How long past its expiry an unsent upload is left to the sweep, so a
   * send that passed the expiry check just in time still finishes its claim.
   * Never below 60 s (a smaller value is raised to it); the sweep deletes only
   * unclaimed records in any case, so a claim that wins is never swept.
   * @default 60 s
   */
  sweepGraceMs?: number;
}

export interface AttachmentServiceDeps {
  store: UploadStore;
  blobs: BlobStore;
  inspector: MediaInspector;
  links: BlobLinks;
  ids: IdGenerator;
  clock: Clock;
  logger?: Logger;
  options: AttachmentOptions;
}

const SWEEP_BATCH = 100;
/** The sweep's grace floor (see AttachmentOptions.sweepGraceMs). */
export const MIN_SWEEP_GRACE_MS = 60_000;
/** S3 upload URLs live at most this long, whatever the ticket's TTL (the bytes are PUT right after the ticket). */
export const MAX_PRESIGNED_PUT_SEC = 600;

/**
 * Uploads and the attachments they become: tickets, the bytes (checked on
 * `complete` or lazily at send), claims by messages, member-only links,
 * discards and the sweep. Ids leak nothing: an upload or attachment that is
 * not the caller's is NOT_FOUND, never FORBIDDEN.
 */
export class AttachmentService implements MessageAttachments {
  private readonly logger: Logger;
  private readonly maxOpen: number;
  private readonly linkTtlSec: number;
  private readonly sweepGraceMs: number;
  /** Tickets are counted then created one at a time per user, so a flood cannot pass the cap together (per process). */
  private readonly ticketQueues = new Map<string, Promise<unknown>>();
  /** fs uploads being received here: a second PUT of the same upload at once is refused. */
  private readonly receiving = new Set<string>();

  constructor(private readonly deps: AttachmentServiceDeps) {
    this.logger = deps.logger ?? silentLogger;
    this.maxOpen = deps.options.maxOpenUploads ?? 20;
    this.linkTtlSec = deps.options.linkTtlSec ?? 300;
    this.sweepGraceMs = Math.max(MIN_SWEEP_GRACE_MS, deps.options.sweepGraceMs ?? MIN_SWEEP_GRACE_MS);
  }

  get maxBytes(): number {
    return this.deps.options.maxBytes;
  }

  ticket(userId: string, body: UploadTicketBody): Promise<UploadTicket> {
    if (body.size > this.maxBytes) throw new ParleyError('PAYLOAD_TOO_LARGE', `the file is larger than ${this.maxBytes} bytes`);
    const previous = this.ticketQueues.get(userId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.createTicket(userId, body));
    this.ticketQueues.set(userId, next);
    void next.finally(() => {
      if (this.ticketQueues.get(userId) === next) this.ticketQueues.delete(userId);
    }).catch(() => undefined);
    return next;
  }

  /**
   * Receives an fs upload's bytes (the gateway checked the link's token):
   * `read(limit)` reads the request body and fails past `limit` bytes.
   * Pending and not yet received only: a link works once. The write is
   * create-only, so a PUT through another gateway at the same moment (the
   * `receiving` guard is per process) cannot replace the first one's bytes.
   */
  async receive(uploadId: string, read: (limit: number) => Promise<Buffer>): Promise<void> {
    // Reserved before the first await, so two PUTs at once cannot both pass the checks below.
    if (this.receiving.has(uploadId)) throw new ParleyError('CONFLICT', 'the upload is being received');
    this.receiving.add(uploadId);
    try {
      const upload = await this.deps.store.getUpload(uploadId);
      if (!upload || upload.expiresAt < this.deps.clock.now()) throw new ParleyError('NOT_FOUND', 'upload not found');
      if (upload.status !== 'pending' || (await this.deps.blobs.size(uploadId)) !== null) {
        throw new ParleyError('CONFLICT', 'the upload was already received');
      }
      const bytes = await read(Math.min(upload.declaredSize, this.maxBytes));
      await this.deps.blobs.put(uploadId, bytes, 'application/octet-stream', { ifAbsent: true });
    } finally {
      this.receiving.delete(uploadId);
    }
  }

  /** Checks the owner's upload now (type, size, image processing) and answers what it is. */
  async complete(userId: string, uploadId: string): Promise<Attachment> {
    return this.check(await this.ownUpload(userId, uploadId));
  }

  async claim(request: { userId: string; uploadId: string; conversationId: string; clientMsgId: string; kind: 'image' | 'file' }): Promise<Attachment> {
    const upload = await this.ownUpload(request.userId, request.uploadId);
    const attachment = await this.check(upload);
    if (request.kind === 'image' && attachment.width === undefined) throw new ParleyError('INVALID_ARGUMENT', 'image: the file is not an image');
    const claimed = await this.deps.store.claimUpload(request.uploadId, request.userId, request.conversationId, request.clientMsgId);
    return claimed.attachment ?? attachment;
  }

  async link(userId: string, attachmentId: string, variant: AttachmentVariant): Promise<AttachmentLink> {
    const attachment = await this.deps.store.getAttachmentForMember(attachmentId, userId);
    if (!attachment || (variant === 'thumbnail' && !attachment.thumbnail)) throw new ParleyError('NOT_FOUND', 'attachment not found');
    const expiresAt = this.deps.clock.now() + this.linkTtlSec * 1_000;
    const image = attachment.width !== undefined;
    const original = await this.downloadUrl(acceptedKey(attachment.id), expiresAt, attachment.mime, image ? 'inline' : 'attachment', attachment.name);
    const thumbnailUrl = attachment.thumbnail
      ? await this.downloadUrl(thumbnailKey(attachment.id), expiresAt, 'image/webp', 'inline', `thumbnail-${attachment.name}.webp`)
      : undefined;
    const url = variant === 'thumbnail' && thumbnailUrl ? thumbnailUrl : original;
    return { attachment, url, ...(thumbnailUrl ? { thumbnailUrl } : {}), expiresAt };
  }

  async discard(uploadId: string): Promise<void> {
    try {
      await this.forget(uploadId);
    } catch (err) {
      this.logger.warn({ err, uploadId }, 'could not discard an attachment; the sweep will not find it (claimed), remove it by hand');
    }
  }

  /** Removes expired unsent uploads (bytes and records); answers how many. */
  async sweep(): Promise<number> {
    let swept = 0;
    for (;;) {
      const expired = await this.deps.store.listExpiredUploads(this.deps.clock.now() - this.sweepGraceMs, SWEEP_BATCH);
      for (const upload of expired) if (await this.forget(upload.id, { unclaimedOnly: true })) swept++;
      if (expired.length < SWEEP_BATCH) return swept;
    }
  }

  private async createTicket(userId: string, body: UploadTicketBody): Promise<UploadTicket> {
    const { store, blobs, links, ids, clock } = this.deps;
    const now = clock.now();
    if ((await store.countOpenUploads(userId, now)) >= this.maxOpen) {
      throw new ParleyError('CONFLICT', `too many uploads waiting to be sent (at most ${this.maxOpen}); send or let them expire`);
    }
    const id = ids.next();
    const expiresAt = now + this.deps.options.ttlSec * 1_000;
    await store.createUpload({ id, ownerId: userId, name: cleanFileName(body.name), declaredSize: body.size, createdAt: now, expiresAt });
    const presigned = await blobs.presignPut(id, { contentLength: body.size, expiresInSec: Math.min(this.deps.options.ttlSec, MAX_PRESIGNED_PUT_SEC) });
    const putExpiresAt = Math.min(expiresAt, now + MAX_PRESIGNED_PUT_SEC * 1_000);
    const target = presigned ?? { url: links.uploadUrl(id, putExpiresAt), headers: { 'content-type': 'application/octet-stream' } };
    // expiresAt is the upload's (send it before then); its URL stops working sooner.
    return { uploadId: id, url: target.url, method: 'PUT', headers: target.headers, expiresAt, maxBytes: body.size };
  }

  private async ownUpload(userId: string, uploadId: string): Promise<UploadRecord> {
    const upload = await this.deps.store.getUpload(uploadId);
    if (!upload || upload.ownerId !== userId) throw new ParleyError('NOT_FOUND', 'upload not found');
    // Past its time an unsent upload is the sweep's: a claim now could race the sweep's delete.
    if (upload.conversationId === null && upload.expiresAt < this.deps.clock.now()) throw new ParleyError('NOT_FOUND', 'upload expired');
    return upload;
  }

  private check(upload: UploadRecord): Promise<Attachment> {
    const { store, blobs, inspector } = this.deps;
    return checkUpload(upload, { store, blobs, inspector, maxBytes: this.maxBytes });
  }

  private async downloadUrl(key: string, expiresAt: number, contentType: string, disposition: 'inline' | 'attachment', fileName: string): Promise<string> {
    const request = { key, expiresAt, contentType, disposition, fileName };
    const presigned = await this.deps.blobs.presignGet(key, { expiresInSec: this.linkTtlSec, contentType, disposition, fileName });
    return presigned ?? this.deps.links.downloadUrl(request);
  }

  /**
   * The record first, then the bytes, and the bytes only when a record went:
   * the sweep deletes only unclaimed records, so a send claiming the upload
   * at the same moment either wins (nothing is removed) or finds it gone.
   */
  private async forget(uploadId: string, options: { unclaimedOnly?: boolean } = {}): Promise<boolean> {
    if (!(await this.deps.store.deleteUpload(uploadId, options))) return false;
    await Promise.all(uploadKeys(uploadId).map((key) => this.deps.blobs.delete(key)));
    return true;
  }
}
