import { ParleyError, type Attachment } from '@parley/protocol';
import type { BlobStore, MediaInspector } from '../ports/blobs';
import type { UploadRecord, UploadStore } from '../ports/store/uploads';

/**
 * Where checked bytes live: a key no upload URL covers (ticket URLs name the
 * upload id, `<id>`), so nobody can replace them after the check. Upload ids
 * are ULIDs (uppercase), so `a-` never starts one.
 */
export const acceptedKey = (uploadId: string): string => `a-${uploadId}`;

/** The thumbnail's key beside its accepted image's. */
export const thumbnailKey = (uploadId: string): string => `${acceptedKey(uploadId)}.thumb`;

/** Every key an upload may have used (what a sweep or a discard removes). */
export const uploadKeys = (uploadId: string): string[] => [uploadId, acceptedKey(uploadId), thumbnailKey(uploadId)];

/**
 * Turns a pending upload into an attachment: reads the bytes once, measures
 * them (at most the ticket's size and the limit), sniffs their type, and
 * stores what was checked (an image's stripped copy and its thumbnail, else
 * the bytes read) under the accepted keys; the upload key is then deleted.
 * A ready upload is never read again: bytes PUT to its URL afterwards change
 * nothing anyone downloads.
 *
 * Two checks of one upload at once (two `complete`s, or a send beside one)
 * may read different bytes if the uploader PUTs between them: the store's
 * pending -> ready step picks one winner, and only a check whose attachment
 * is the one the store kept writes the accepted keys, so the record always
 * describes the bytes served.
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
  const inspection = await deps.inspector.inspect(bytes).catch(async (err: unknown) => {
    // An image that cannot be decoded is refused, not kept with its metadata: its bytes go too (PUT again to retry).
    if (err instanceof ParleyError && err.code === 'INVALID_ARGUMENT') await blobs.delete(upload.id);
    throw err;
  });
  let attachment: Attachment = { id: upload.id, name: upload.name, mime: inspection.mime, size: bytes.length };
  const image = inspection.image;
  if (image) {
    attachment = { ...attachment, mime: image.strippedMime, size: image.stripped.length, width: image.width, height: image.height, thumbnail: true };
  }
  const ready = await deps.store.markUploadReady(upload.id, attachment);
  const kept = ready.attachment ?? attachment;
  if (!sameAttachment(kept, attachment)) return kept;
  if (image) {
    await blobs.put(thumbnailKey(upload.id), image.thumbnail, image.thumbnailMime);
    await blobs.put(acceptedKey(upload.id), image.stripped, image.strippedMime);
  } else {
    await blobs.put(acceptedKey(upload.id), bytes, inspection.mime);
  }
  await blobs.delete(upload.id);
  return kept;
}

function sameAttachment(a: Attachment, b: Attachment): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
