/** A download link's grant: which object, until when, served with which headers. */
export interface DownloadLinkRequest {
  key: string;
  /** Epoch ms. */
  expiresAt: number;
  contentType: string;
  disposition: 'inline' | 'attachment';
  fileName: string;
}

/**
 * Transfer URLs for blob engines that have none of their own (fs): the
 * gateway serves them behind signed links (SignedBlobLinks in
 * @parley/attachments). Relative to the gateway.
 */
export interface BlobLinks {
  uploadUrl(uploadId: string, expiresAt: number): string;
  downloadUrl(request: DownloadLinkRequest): string;
}
