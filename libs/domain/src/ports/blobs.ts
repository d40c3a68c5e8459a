/**
 * Where attachment bytes live: a filesystem directory (embedded and dev) or
 * an S3 bucket. Keys are the domain's (`<uploadId>` for received bytes,
 * `a-<uploadId>` and `a-<uploadId>.thumb` for checked ones);
 * engines never interpret them. Every method maps an unreachable backend to
 * ParleyError UNAVAILABLE.
 */
export interface BlobStore {
  /** `fs` engines hand transfers to the gateway's signed links; `s3` presigns its own. */
  readonly engine: 'fs' | 's3';
  /**
   * `ifAbsent`: create only; CONFLICT when the key exists (the fs upload
   * route, so two gateways receiving one upload cannot both write it).
   */
  put(key: string, bytes: Buffer, contentType: string, options?: { ifAbsent?: boolean }): Promise<void>;
  /** The whole object, or null when absent. */
  get(key: string): Promise<Buffer | null>;
  /** The object's size, or null when absent. */
  size(key: string): Promise<number | null>;
  /** No-op when absent. */
  delete(key: string): Promise<void>;
  /**
   * A URL the client PUTs exactly `contentLength` bytes to, with the headers
   * to send; null when the engine has no URL of its own (fs).
   */
  presignPut(key: string, options: { contentLength: number; expiresInSec: number }): Promise<PresignedRequest | null>;
  /** A URL to read the object with the given response headers; null when the engine has none (fs). */
  presignGet(key: string, options: PresignGetOptions): Promise<string | null>;
}

export interface PresignedRequest {
  url: string;
  headers: Record<string, string>;
}

export interface PresignGetOptions {
  expiresInSec: number;
  contentType: string;
  /** The Content-Disposition: `inline` only for images; others download under their file name. */
  disposition: 'inline' | 'attachment';
  fileName: string;
}

/** What bytes are, measured by the server (never the client's word). */
export interface MediaInspection {
  /** Sniffed from the bytes; `application/octet-stream` when unknown. */
  mime: string;
  /** Raster images the server can decode (JPEG, PNG, WebP, GIF, AVIF). */
  image?: {
    width: number;
    height: number;
    /** The image re-encoded without metadata (EXIF, GPS), orientation applied. */
    stripped: Buffer;
    strippedMime: string;
    /** At most 320x320, same aspect. */
    thumbnail: Buffer;
    thumbnailMime: string;
  };
}

export interface MediaInspector {
  inspect(bytes: Buffer): Promise<MediaInspection>;
}
