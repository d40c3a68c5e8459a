import type { SignedBlobLinks } from '@parley/attachments';
import type { AttachmentService, BlobStore } from '@parley/domain';
import { ParleyError } from '@parley/protocol';

/** What the upload, attachment and blob routes use; absent, they answer UNAVAILABLE (after checking their input). */
export interface GatewayAttachments {
  service: AttachmentService;
  /** Verifies the fs engine's upload and download links. */
  links: SignedBlobLinks;
  /** Read for fs download links (S3 serves its own). */
  blobs: BlobStore;
  /** Where browsers PUT and GET the bytes when not on this gateway (the S3 endpoint's origin): the CSP allows it. */
  origin?: string;
}

export function requireAttachments(attachments: GatewayAttachments | undefined): GatewayAttachments {
  if (!attachments) throw new ParleyError('UNAVAILABLE', 'attachments are not configured on this gateway');
  return attachments;
}
