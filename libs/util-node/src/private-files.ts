import fs from 'node:fs';

/** Group and other permission bits: a private file or directory has none. */
const SHARED_BITS = 0o077;

/**
 * A directory only its owner can enter: created 0700 (parents too), and an
 * existing one that lets the group or others in is narrowed to its owner bits.
 */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  narrowToOwner(dir);
}

/**
 * A file only its owner can read: created empty with 0600 when missing (so
 * whatever writes it next never makes it readable first), narrowed to its
 * owner bits when it exists and is looser.
 */
export function ensurePrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  narrowToOwner(file);
}

/** Narrows an existing path to its owner bits; a missing one is fine. */
export function narrowToOwner(target: string): void {
  let mode: number;
  try {
    mode = fs.statSync(target).mode;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if ((mode & SHARED_BITS) !== 0) fs.chmodSync(target, mode & 0o700);
}
