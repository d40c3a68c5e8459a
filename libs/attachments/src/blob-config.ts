import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_UPLOAD_MAX_BYTES } from '@parley/protocol';
import type { BlobStore } from '@parley/domain';
import { FsBlobStore } from './blob-store.fs';
import { S3BlobStore } from './blob-store.s3';

const flag = z.enum(['true', 'false']).default('false').transform((v) => v === 'true');

/** Where attachments live and how big they may be: the gateway and every IM node read the same keys. */
export const blobEnv = z.object({
  /** `fs`: files in PARLEY_BLOB_DIR (one machine, or a volume every process mounts); `s3`: an S3 bucket. */
  PARLEY_BLOB_STORE: z.enum(['fs', 's3']).default('fs'),
  PARLEY_BLOB_DIR: z.string().min(1).default('data/blobs'),
  /** S3-compatible endpoint (MinIO, s3rver, R2); unset: AWS for PARLEY_S3_REGION. */
  PARLEY_S3_ENDPOINT: z.url().optional(),
  PARLEY_S3_REGION: z.string().min(1).default('us-east-1'),
  PARLEY_S3_BUCKET: z.string().min(3).max(63).optional(),
  PARLEY_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  /** Secret: never logged. */
  PARLEY_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Path-style URLs, which local servers (MinIO, s3rver) need. */
  PARLEY_S3_FORCE_PATH_STYLE: flag,
  /** The largest attachment; a bigger ticket or upload gets 413. */
  PARLEY_UPLOAD_MAX_BYTES: z.coerce.number().int().min(1).max(5 * 1024 ** 3).default(DEFAULT_UPLOAD_MAX_BYTES),
  /** How long an upload may wait to be sent in a message before it is swept. */
  PARLEY_UPLOAD_TTL_SEC: z.coerce.number().int().min(1).max(7 * 86_400).default(3_600),
});
export type BlobEnv = z.output<typeof blobEnv>;

/** The sweeper's period on a gateway (PARLEY_UPLOAD_SWEEP_SEC). */
export const uploadSweepEnv = z.object({
  /** Seconds between sweeps of expired unsent uploads (gateways only). */
  PARLEY_UPLOAD_SWEEP_SEC: z.coerce.number().int().min(1).max(86_400).default(60),
});

/**
 * The BlobStore a parsed blobEnv asks for. `relativeTo` resolves a relative
 * PARLEY_BLOB_DIR (the embedded app's data dir). An s3 store without its
 * bucket or credentials fails here, at start, naming what is missing.
 */
export function openBlobStore(env: BlobEnv, relativeTo = process.cwd()): BlobStore & { close?(): void } {
  if (env.PARLEY_BLOB_STORE === 'fs') return new FsBlobStore(path.resolve(relativeTo, env.PARLEY_BLOB_DIR));
  const missing = (['PARLEY_S3_BUCKET', 'PARLEY_S3_ACCESS_KEY_ID', 'PARLEY_S3_SECRET_ACCESS_KEY'] as const).filter((k) => !env[k]);
  if (missing.length > 0) throw new Error(`invalid configuration: PARLEY_BLOB_STORE=s3 needs ${missing.join(', ')}`);
  return new S3BlobStore({
    endpoint: env.PARLEY_S3_ENDPOINT,
    region: env.PARLEY_S3_REGION,
    bucket: env.PARLEY_S3_BUCKET ?? '',
    accessKeyId: env.PARLEY_S3_ACCESS_KEY_ID ?? '',
    secretAccessKey: env.PARLEY_S3_SECRET_ACCESS_KEY ?? '',
    forcePathStyle: env.PARLEY_S3_FORCE_PATH_STYLE,
  });
}

/** AttachmentService's limits from a parsed blobEnv. */
export function uploadLimitsOf(env: BlobEnv): { maxBytes: number; ttlSec: number } {
  return { maxBytes: env.PARLEY_UPLOAD_MAX_BYTES, ttlSec: env.PARLEY_UPLOAD_TTL_SEC };
}
