import type { Attachment } from '@parley/protocol';

/**
 * What the message pipeline asks of attachments (AttachmentService
 * implements it): tie a finished upload to the message being sent, and drop
 * the bytes of a recalled one.
 */
export interface MessageAttachments {
  /**
   * Claims the sender's upload for the message (checking its bytes first if
   * nobody did yet) and answers what it is. Throws NOT_FOUND (missing or not
   * the sender's), CONFLICT (not received yet, or sent in another message),
   * INVALID_ARGUMENT (`image` for bytes that are not an image).
   * A retried send (same conversation and clientMsgId) claims it again.
   */
  claim(request: { userId: string; uploadId: string; conversationId: string; clientMsgId: string; kind: 'image' | 'file' }): Promise<Attachment>;
  /** Removes an upload's bytes and record (its message was recalled). Never throws: a failure is logged and swept later. */
  discard(uploadId: string): Promise<void>;
}
