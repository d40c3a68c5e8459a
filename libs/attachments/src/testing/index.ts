export { describeBlobStoreContract } from './blob-store.contract';
export { startS3Server, type TestS3Server } from './s3-server';
export { jpegWithExif } from './sample-images';
