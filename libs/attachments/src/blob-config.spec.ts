import { blobEnv, openBlobStore } from './blob-config';
import { blobOriginOf } from './create-attachments';

describe('blob configuration', () => {
  it('defaults to files in data/blobs, 20 MB uploads that wait an hour', () => {
    const env = blobEnv.parse({});
    expect(env).toMatchObject({ PARLEY_BLOB_STORE: 'fs', PARLEY_BLOB_DIR: 'data/blobs', PARLEY_UPLOAD_MAX_BYTES: 20 * 1024 * 1024, PARLEY_UPLOAD_TTL_SEC: 3600, PARLEY_S3_FORCE_PATH_STYLE: false });
    expect(openBlobStore(env, '/srv/parley').engine).toBe('fs');
    expect(blobOriginOf(env)).toBeUndefined();
  });

  it('refuses s3 without its bucket or credentials, naming what is missing', () => {
    const env = blobEnv.parse({ PARLEY_BLOB_STORE: 's3', PARLEY_S3_BUCKET: 'files' });
    expect(() => openBlobStore(env)).toThrow('PARLEY_S3_ACCESS_KEY_ID, PARLEY_S3_SECRET_ACCESS_KEY');
    expect(blobEnv.safeParse({ PARLEY_S3_FORCE_PATH_STYLE: 'yes' }).success).toBe(false);
    expect(blobEnv.safeParse({ PARLEY_UPLOAD_MAX_BYTES: '0' }).success).toBe(false);
  });

  it('names the origin browsers transfer to, for the CSP', () => {
    const s3 = (extra: Record<string, string>) => blobEnv.parse({ PARLEY_BLOB_STORE: 's3', PARLEY_S3_BUCKET: 'files', ...extra });
    expect(blobOriginOf(s3({ PARLEY_S3_ENDPOINT: 'http://minio:9000/' }))).toBe('http://minio:9000');
    expect(blobOriginOf(s3({ PARLEY_S3_REGION: 'eu-west-3' }))).toBe('https://files.s3.eu-west-3.amazonaws.com');
  });
});
