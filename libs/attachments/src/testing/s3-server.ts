// s3rver ships no types: its declaration must reach every program that compiles this file (libs whose tsconfig includes only their own src).
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./s3rver.d.ts" />
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { findFreePort } from '@parley/testing';
import type { S3BlobStoreOptions } from '../blob-store.s3';

/** A real S3-compatible server (s3rver) on a free loopback port, its data in a temporary directory. */
export interface TestS3Server {
  endpoint: string;
  /** What S3BlobStore takes: the endpoint, s3rver's fixed credentials, a bucket made at start, path style. */
  options: S3BlobStoreOptions;
  /** The same as PARLEY_S3_* variables, for processes under test. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startS3Server(bucket = 'parley-test'): Promise<TestS3Server> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-s3rver-'));
  const port = await findFreePort();
  const server = new S3rver({ address: '127.0.0.1', port, silent: true, directory, configureBuckets: [{ name: bucket }] });
  await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  // s3rver accepts only these credentials (and checks every signature made with them).
  const options: S3BlobStoreOptions = { endpoint, region: 'us-east-1', bucket, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true };
  return {
    endpoint,
    options,
    env: {
      PARLEY_BLOB_STORE: 's3',
      PARLEY_S3_ENDPOINT: endpoint,
      PARLEY_S3_REGION: 'us-east-1',
      PARLEY_S3_BUCKET: bucket,
      PARLEY_S3_ACCESS_KEY_ID: 'S3RVER',
      PARLEY_S3_SECRET_ACCESS_KEY: 'S3RVER',
      PARLEY_S3_FORCE_PATH_STYLE: 'true',
    },
    async stop() {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
