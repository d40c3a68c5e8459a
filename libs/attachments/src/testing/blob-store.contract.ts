import type { BlobStore } from '@parley/domain';

/**
 * What every BlobStore engine does, run on each (blob-store.fs.spec.ts,
 * blob-store.s3.spec.ts). Engines with URLs of their own (s3) are also
 * exercised over real HTTP: a presigned PUT of the signed length stores the
 * bytes (the length is a signed header), a presigned GET answers the bytes with the
 * response headers asked for.
 */
export function describeBlobStoreContract(name: string, open: () => Promise<{ blobs: BlobStore; close(): Promise<void> }>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let blobs: BlobStore;
    let close: () => Promise<void>;
    let n = 0;
    const key = (): string => `01JBLOB${process.pid}X${Date.now()}X${++n}`;

    beforeAll(async () => {
      ({ blobs, close } = await open());
    });
    afterAll(async () => {
      await close();
    });

    it('stores bytes and answers them, their size, and null once deleted', async () => {
      const k = key();
      const bytes = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
      await blobs.put(k, bytes, 'application/octet-stream');
      expect(await blobs.get(k)).toEqual(bytes);
      expect(await blobs.size(k)).toBe(bytes.length);
      await blobs.delete(k);
      expect(await blobs.get(k)).toBeNull();
      expect(await blobs.size(k)).toBeNull();
    });

    it('answers null for a key never written, and deleting it is a no-op', async () => {
      const k = key();
      expect(await blobs.get(k)).toBeNull();
      expect(await blobs.size(k)).toBeNull();
      await expect(blobs.delete(k)).resolves.toBeUndefined();
    });

    it('replaces an object written again under the same key, and keeps empty and thumbnail keys apart', async () => {
      const k = key();
      await blobs.put(k, Buffer.from('first version, longer'), 'text/plain');
      await blobs.put(`${k}.thumb`, Buffer.alloc(0), 'image/webp');
      await blobs.put(k, Buffer.from('second'), 'text/plain');
      expect((await blobs.get(k))?.toString()).toBe('second');
      expect(await blobs.size(`${k}.thumb`)).toBe(0);
      await Promise.all([blobs.delete(k), blobs.delete(`${k}.thumb`)]);
    });

    it('creates only when asked to (ifAbsent): a second create is CONFLICT and keeps the first bytes (fs; s3rver ignores If-None-Match)', async () => {
      if (blobs.engine !== 'fs') return;
      const k = key();
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => blobs.put(k, Buffer.from(`v${i}`), 'text/plain', { ifAbsent: true })));
      const won = results.findIndex((r) => r.status === 'fulfilled');
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'CONFLICT' } });
      expect((await blobs.get(k))?.toString()).toBe(`v${won}`);
      await blobs.delete(k);
    });

    it('keeps a megabyte intact, and many writes at once all land', async () => {
      const big = Buffer.alloc(1024 * 1024 + 3, 7);
      const keys = Array.from({ length: 20 }, key);
      await Promise.all(keys.map((k, i) => blobs.put(k, i === 0 ? big : Buffer.from(k), 'application/octet-stream')));
      expect(await blobs.size(keys[0] ?? '')).toBe(big.length);
      for (const k of keys.slice(1)) expect((await blobs.get(k))?.toString()).toBe(k);
      await Promise.all(keys.map((k) => blobs.delete(k)));
    });

    it('refuses keys that could leave its namespace (paths, parents, hidden files)', async () => {
      for (const bad of ['../escape', 'a/b', '.hidden', '', 'a\\b', 'x'.repeat(300), 'a..b', 'nul\0']) {
        await expect(blobs.put(bad, Buffer.from('x'), 'text/plain')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
        await expect(blobs.get(bad)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      }
    });

    it('presigns transfers over real HTTP when it has URLs of its own (s3), and answers null when not (fs)', async () => {
      const k = key();
      const bytes = Buffer.from('presigned bytes: héllo');
      const put = await blobs.presignPut(k, { contentLength: bytes.length, expiresInSec: 60 });
      const get = await blobs.presignGet(k, { expiresInSec: 60, contentType: 'text/plain', disposition: 'attachment', fileName: 'notes "1".txt' });
      if (blobs.engine === 'fs') {
        expect({ put, get }).toEqual({ put: null, get: null });
        return;
      }
      if (!put || !get) throw new Error('an s3 engine presigns');
      // The length is signed (S3 refuses a PUT of another length). s3rver does not verify SigV4 signatures at
      // all (its authentication.js: "Signature version 4 calculation is unimplemented"), so against it only the
      // signed header list can be checked, not the refusal.
      expect(new URL(put.url).searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('content-length');
      const ok = await fetch(put.url, { method: 'PUT', headers: put.headers, body: bytes });
      expect(ok.status).toBe(200);
      expect(await blobs.get(k)).toEqual(bytes);
      const read = await fetch(get);
      expect(read.status).toBe(200);
      expect(Buffer.from(await read.arrayBuffer())).toEqual(bytes);
      expect(read.headers.get('content-type')).toBe('text/plain');
      expect(read.headers.get('content-disposition')).toBe(`attachment; filename="notes _1_.txt"; filename*=UTF-8''notes%20%221%22.txt`);
      await blobs.delete(k);
    });
  });
}
