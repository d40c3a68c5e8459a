import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensurePrivateDir, ensurePrivateFile, narrowToOwner } from './private-files';

const modeOf = (p: string): number => fs.statSync(p).mode & 0o777;

describe('private files', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-private-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('creates a directory 0700, whatever the umask, and narrows an existing world-readable one', () => {
    const fresh = path.join(root, 'a', 'data');
    const umask = process.umask(0);
    try {
      ensurePrivateDir(fresh);
    } finally {
      process.umask(umask);
    }
    expect(modeOf(fresh)).toBe(0o700);

    const loose = path.join(root, 'loose');
    fs.mkdirSync(loose);
    fs.chmodSync(loose, 0o755);
    ensurePrivateDir(loose);
    expect(modeOf(loose)).toBe(0o700);
  });

  it('creates a file 0600 and narrows an existing 0644 one without touching its content', () => {
    const fresh = path.join(root, 'secret');
    const umask = process.umask(0);
    try {
      ensurePrivateFile(fresh);
    } finally {
      process.umask(umask);
    }
    expect(modeOf(fresh)).toBe(0o600);

    const loose = path.join(root, 'parley.db');
    fs.writeFileSync(loose, 'kept', { mode: 0o644 });
    fs.chmodSync(loose, 0o644);
    ensurePrivateFile(loose);
    expect(modeOf(loose)).toBe(0o600);
    expect(fs.readFileSync(loose, 'utf8')).toBe('kept');
  });

  it('leaves a missing path missing, and an owner-only mode as it is', () => {
    expect(() => narrowToOwner(path.join(root, 'nope'))).not.toThrow();
    expect(fs.existsSync(path.join(root, 'nope'))).toBe(false);
    const readOnly = path.join(root, 'ro');
    fs.writeFileSync(readOnly, 'x');
    fs.chmodSync(readOnly, 0o400);
    narrowToOwner(readOnly);
    expect(modeOf(readOnly)).toBe(0o400);
  });
});
