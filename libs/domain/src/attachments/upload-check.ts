import { ParleyError, type Attachment } from '@parley/protocol';
import type { BlobStore, MediaInspector } from '../ports/blobs';
import type { UploadRecord, UploadStore } from '../ports/store/uploads';

/** The thumbnail's key beside its image's. */
export const thumbnailKey = (uploadId: string): string => `${uploadId}.thumb`;

/**
 * Turns a pending upload into an attachment: reads the bytes, measures them
 * (at most the ticket's size and the limit), sniffs their type, and for an
 * image replaces the original with its stripped copy and writes the
 * thumbnail, before the record says ready. Two checks of one upload at once
 * write the same objects; the store keeps the first ready state.
 */
export async function checkUpload(
  upload: UploadRecord,
  deps: { store: UploadStore; blobs: BlobStore; inspector: MediaInspector; maxBytes: number },
): Promise<Attachment> {
  if (upload.status === 'ready' && upload.attachment) return upload.attachment;
  const { blobs } = deps;
  const bytes = await blobs.get(upload.id);
  if (bytes === null) throw new ParleyError('CONFLICT', 'the upload has not been received yet');
  if (bytes.length > Math.min(upload.declaredSize, deps.maxBytes)) {
    // The fs route and S3's signed length stop this before; a server that let it through still stores nothing.
    await blobs.delete(upload.id);
    throw new ParleyError('PAYLOAD_TOO_LARGE', `the upload is larger than its ticket allowed (${upload.declaredSize} bytes)`);
  }
  const inspection = await deps.inspector.inspect(bytes);
  let attachment: Attachment = { id: upload.id, name: upload.name, mime: inspection.mime, size: bytes.length };
  const image = inspection.image;
  if (image) {
    await blobs.put(thumbnailKey(upload.id), image.thumbnail, image.thumbnailMime);
    await blobs.put(upload.id, image.stripped, image.strippedMime);
    attachment = { ...attachment, mime: image.strippedMime, size: image.stripped.length, width: image.width, height: image.height, thumbnail: true };
  }
  const ready = await deps.store.markUploadReady(upload.id, attachment);
  return ready.attachment ?? attachment;
}
