import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { BlobStore, PresignedRequest } from '@parley/domain';
import { ParleyError } from '@parley/protocol';
import { checkBlobKey } from './blob-keys';

/**
 * Blobs as files in one directory (embedded mode, dev, a shared volume).
 * Writes go to a temporary file that is renamed into place, so a reader never
 * sees half an object and a crashed write leaves only a `.tmp-*` file. The
 * engine has no URLs of its own: the gateway serves transfers behind signed
 * links (SignedBlobLinks).
 */
export class FsBlobStore implements BlobStore {
  readonly engine = 'fs' as const;
  private ready: Promise<void> | undefined;

  constructor(private readonly dir: string) {}

  async put(key: string, bytes: Buffer, _contentType: string, options: { ifAbsent?: boolean } = {}): Promise<void> {
    const file = this.fileOf(key);
    await this.ensureDir();
    const temp = path.join(this.dir, `.tmp-${crypto.randomBytes(8).toString('hex')}`);
    try {
      await fs.writeFile(temp, bytes, { mode: 0o600 });
      // link() fails when the name exists (rename would replace it): create-only, atomic, across processes sharing the directory.
      if (options.ifAbsent) await fs.link(temp, file);
      else await fs.rename(temp, file);
    } catch (err) {
      if (options.ifAbsent && (err as NodeJS.ErrnoException).code === 'EEXIST') throw new ParleyError('CONFLICT', 'the object already exists');
      throw unavailable(err);
    } finally {
      if (options.ifAbsent) await fs.rm(temp, { force: true }).catch(() => undefined);
    }
  }

  async get(key: string): Promise<Buffer | null> {
    const file = this.fileOf(key);
    try {
      return await fs.readFile(file);
    } catch (err) {
      if (isMissing(err)) return null;
      throw unavailable(err);
    }
  }

  async size(key: string): Promise<number | null> {
    const file = this.fileOf(key);
    try {
      return (await fs.stat(file)).size;
    } catch (err) {
      if (isMissing(err)) return null;
      throw unavailable(err);
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.fileOf(key);
    try {
      await fs.rm(file, { force: true });
    } catch (err) {
      throw unavailable(err);
    }
  }

  presignPut(): Promise<PresignedRequest | null> {
    return Promise.resolve(null);
  }

  presignGet(): Promise<string | null> {
    return Promise.resolve(null);
  }

  private fileOf(key: string): string {
    return path.join(this.dir, checkBlobKey(key));
  }

  private ensureDir(): Promise<void> {
    this.ready ??= fs.mkdir(this.dir, { recursive: true, mode: 0o700 }).then(
      () => undefined,
      (err: unknown) => {
        this.ready = undefined;
        throw unavailable(err);
      },
    );
    return this.ready;
  }
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

function unavailable(err: unknown): ParleyError {
  return new ParleyError('UNAVAILABLE', 'blob storage unavailable', { cause: err });
}
