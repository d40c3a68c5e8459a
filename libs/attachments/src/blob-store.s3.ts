import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { BlobStore, PresignGetOptions, PresignedRequest } from '@parley/domain';
import { ParleyError } from '@parley/protocol';
import { checkBlobKey } from './blob-keys';
import { contentDisposition } from './content-disposition';

export interface S3BlobStoreOptions {
  /** e.g. `http://127.0.0.1:9000` for MinIO or s3rver; unset: AWS's own endpoint for the region. */
  endpoint?: string;
  /** @default 'us-east-1' */
  region?: string;
  bucket: string;
  accessKeyId: string;
  /** Never logged. */
  secretAccessKey: string;
  /** Path-style URLs (`<endpoint>/<bucket>/<key>`): what local servers (MinIO, s3rver) need. @default false */
  forcePathStyle?: boolean;
}

/**
 * Blobs in an S3 bucket. Clients transfer bytes straight to and from S3 with
 * presigned URLs; the servers only read an upload once, to check it. The
 * SDK's default checksums are off (`WHEN_REQUIRED`): S3-compatible servers
 * that predate them refuse the extra headers, and a presigned PUT with a
 * checksum parameter would need the browser to compute it.
 */
export class S3BlobStore implements BlobStore {
  readonly engine = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region ?? 'us-east-1',
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      forcePathStyle: options.forcePathStyle ?? false,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** `ifAbsent` sends `If-None-Match: *` (S3 answers 412 when the key exists; servers that ignore it replace). */
  async put(key: string, bytes: Buffer, contentType: string, options: { ifAbsent?: boolean } = {}): Promise<void> {
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: checkBlobKey(key),
      Body: bytes,
      ContentType: contentType,
      ContentLength: bytes.length,
      ...(options.ifAbsent ? { IfNoneMatch: '*' } : {}),
    });
    try {
      await this.client.send(command);
    } catch (err) {
      if (options.ifAbsent && err instanceof S3ServiceException && err.$metadata.httpStatusCode === 412) throw new ParleyError('CONFLICT', 'the object already exists');
      throw unavailable(err);
    }
  }

  async get(key: string): Promise<Buffer | null> {
    return this.orNull(async () => {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: checkBlobKey(key) }));
      return out.Body ? Buffer.from(await out.Body.transformToByteArray()) : Buffer.alloc(0);
    });
  }

  async size(key: string): Promise<number | null> {
    return this.orNull(async () => {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: checkBlobKey(key) }));
      return out.ContentLength ?? 0;
    });
  }

  async delete(key: string): Promise<void> {
    await this.send(() => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: checkBlobKey(key) })));
  }

  /** ContentLength is a signed header: S3 refuses a PUT of any other length (the size limit holds without the gateway). */
  async presignPut(key: string, options: { contentLength: number; expiresInSec: number }): Promise<PresignedRequest> {
    const command = new PutObjectCommand({ Bucket: this.bucket, Key: checkBlobKey(key), ContentLength: options.contentLength });
    const url = await this.send(() => getSignedUrl(this.client, command, { expiresIn: options.expiresInSec, signableHeaders: new Set(['content-length']) }));
    // Content-Length is the body's own length; browsers set it (and may not set it themselves).
    return { url, headers: {} };
  }

  async presignGet(key: string, options: PresignGetOptions): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: checkBlobKey(key),
      ResponseContentType: options.contentType,
      ResponseContentDisposition: contentDisposition(options.disposition, options.fileName),
      ResponseCacheControl: 'private, max-age=300',
    });
    return this.send(() => getSignedUrl(this.client, command, { expiresIn: options.expiresInSec }));
  }

  /** Closes the SDK's sockets. */
  close(): void {
    this.client.destroy();
  }

  private async orNull<T>(call: () => Promise<T>): Promise<T | null> {
    try {
      return await call();
    } catch (err) {
      if (isMissing(err)) return null;
      throw unavailable(err);
    }
  }

  private async send<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw unavailable(err);
    }
  }
}

function isMissing(err: unknown): boolean {
  return err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata.httpStatusCode === 404);
}

function unavailable(err: unknown): ParleyError {
  if (err instanceof ParleyError) return err;
  return new ParleyError('UNAVAILABLE', 'blob storage unavailable', { cause: err });
}
