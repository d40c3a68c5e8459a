import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeBlobStoreContract } from './testing/blob-store.contract';
import { FsBlobStore } from './blob-store.fs';

describeBlobStoreContract('fs (a temporary directory)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-blobs-'));
  return { blobs: new FsBlobStore(path.join(dir, 'nested', 'blobs')), close: async () => fs.rmSync(dir, { recursive: true, force: true }) };
});

describe('FsBlobStore', () => {
  it('leaves no temporary file behind and keeps its files private to the owner', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-blobs-'));
    const blobs = new FsBlobStore(dir);
    await Promise.all(Array.from({ length: 10 }, (_, i) => blobs.put('same-key', Buffer.alloc(1000, i), 'application/octet-stream')));
    expect(fs.readdirSync(dir)).toEqual(['same-key']);
    expect(fs.statSync(path.join(dir, 'same-key')).mode & 0o777).toBe(0o600);
    // Every write was whole: the survivor is one of them, not a mix.
    const bytes = fs.readFileSync(path.join(dir, 'same-key'));
    expect(new Set(bytes).size).toBe(1);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers UNAVAILABLE when its directory cannot be written', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'parley-blobs-')), 'a-file');
    fs.writeFileSync(file, 'x');
    const blobs = new FsBlobStore(path.join(file, 'below'));
    await expect(blobs.put('k', Buffer.from('x'), 'text/plain')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});
