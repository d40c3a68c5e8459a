export { FsBlobStore } from './blob-store.fs';
export { S3BlobStore, type S3BlobStoreOptions } from './blob-store.s3';
export { SharpMediaInspector, type SharpMediaInspectorOptions } from './media-inspector';
export { SignedBlobLinks, type VerifiedDownload } from './signed-blob-links';
export { contentDisposition } from './content-disposition';
export { blobEnv, openBlobStore, uploadLimitsOf, uploadSweepEnv, type BlobEnv } from './blob-config';
export { createAttachments, type Attachments, type AttachmentsParts } from './create-attachments';
