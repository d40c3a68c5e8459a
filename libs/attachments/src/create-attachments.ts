import { AttachmentService, type BlobStore, type Clock, type IdGenerator, type UploadStore } from '@parley/domain';
import type { Logger } from '@parley/util';
import { openBlobStore, uploadLimitsOf, type BlobEnv } from './blob-config';
import { SharpMediaInspector } from './media-inspector';
import { SignedBlobLinks } from './signed-blob-links';

export interface AttachmentsParts {
  env: BlobEnv;
  store: UploadStore;
  /** The JWT secret: the link key is derived from it (every gateway and node has it). */
  jwtSecret: string;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
  /** Resolves a relative PARLEY_BLOB_DIR. @default the working directory */
  relativeTo?: string;
}

export interface Attachments {
  service: AttachmentService;
  links: SignedBlobLinks;
  blobs: BlobStore;
  /** The S3 origin browsers transfer to (for the page's CSP); undefined with fs (the gateway itself). */
  origin?: string;
  close(): void;
}

/** The blob store, media inspector, signed links and AttachmentService a process needs, from its config (gateways and IM nodes alike). */
export function createAttachments(parts: AttachmentsParts): Attachments {
  const blobs = openBlobStore(parts.env, parts.relativeTo);
  const links = new SignedBlobLinks(parts.jwtSecret);
  const service = new AttachmentService({
    store: parts.store,
    blobs,
    inspector: new SharpMediaInspector(),
    links,
    ids: parts.ids,
    clock: parts.clock,
    logger: parts.logger,
    options: uploadLimitsOf(parts.env),
  });
  return { service, links, blobs, origin: blobOriginOf(parts.env), close: () => blobs.close?.() };
}

/** The origin of presigned URLs: the endpoint's, or AWS's virtual-hosted (or path-style) bucket host. */
export function blobOriginOf(env: BlobEnv): string | undefined {
  if (env.PARLEY_BLOB_STORE === 'fs') return undefined;
  if (env.PARLEY_S3_ENDPOINT) return new URL(env.PARLEY_S3_ENDPOINT).origin;
  const host = `s3.${env.PARLEY_S3_REGION}.amazonaws.com`;
  return env.PARLEY_S3_FORCE_PATH_STYLE ? `https://${host}` : `https://${env.PARLEY_S3_BUCKET ?? ''}.${host}`;
}
