import { startS3Server, type TestS3Server } from './testing/s3-server';
import { describeBlobStoreContract } from './testing/blob-store.contract';
import { S3BlobStore } from './blob-store.s3';

describeBlobStoreContract('s3 (a real s3rver on loopback)', async () => {
  const server: TestS3Server = await startS3Server();
  const blobs = new S3BlobStore(server.options);
  return {
    blobs,
    close: async () => {
      blobs.close();
      await server.stop();
    },
  };
});

describe('S3BlobStore', () => {
  it('answers UNAVAILABLE when the server does not answer', async () => {
    const server = await startS3Server();
    const down = new S3BlobStore({ ...server.options, endpoint: 'http://127.0.0.1:9' });
    await expect(down.get('k')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(down.put('k', Buffer.from('x'), 'text/plain')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    down.close();
    await server.stop();
  });

  it('signs the content length into a presigned PUT', async () => {
    const server = await startS3Server();
    const blobs = new S3BlobStore(server.options);
    const put = await blobs.presignPut('k', { contentLength: 42, expiresInSec: 60 });
    expect(new URL(put.url).searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('content-length');
    blobs.close();
    await server.stop();
  });
});
