import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort, spawnApp, terminate, type ClusterProcess } from '@parley/testing';

jest.setTimeout(120_000);

const modeOf = (p: string): number => fs.statSync(p).mode & 0o777;

/** Embedded mode on a free port and the two after it (its IM nodes); retried if another process takes them first. */
async function startEmbedded(dataDir: string): Promise<{ proc: ClusterProcess; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    try {
      const proc = await spawnApp('embedded-files', 'apps/embedded/src/main.ts', 'Parley is running', {
        PARLEY_PORT: String(port),
        PARLEY_DATA_DIR: dataDir,
        PARLEY_STATIC_DIR: path.join(dataDir, 'no-web-client'),
        PARLEY_LOG_LEVEL: 'warn',
      });
      return { proc, port };
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

describe('embedded mode keeps its data private', () => {
  let root: string;
  let running: ClusterProcess | undefined;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-embedded-'));
  });
  afterEach(async () => {
    if (running) await terminate(running);
    running = undefined;
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('creates data/ 0700 and the database, secret and admin password 0600, and narrows them again when a user loosened them', async () => {
    const dataDir = path.join(root, 'data');
    const files = ['parley.db', 'parley.db-wal', 'parley.db-shm', 'jwt-secret', 'admin-password'].map((f) => path.join(dataDir, f));
    const first = await startEmbedded(dataDir);
    running = first.proc;
    expect(modeOf(dataDir)).toBe(0o700);
    for (const file of files) expect({ file: path.basename(file), mode: modeOf(file).toString(8) }).toEqual({ file: path.basename(file), mode: '600' });
    await terminate(first.proc);

    // What `chmod -R a+rX data` or a careless copy leaves behind.
    fs.chmodSync(dataDir, 0o755);
    for (const file of files.filter((f) => fs.existsSync(f))) fs.chmodSync(file, 0o644);
    const secretBefore = fs.readFileSync(path.join(dataDir, 'jwt-secret'), 'utf8');

    const second = await startEmbedded(dataDir);
    running = second.proc;
    expect(modeOf(dataDir)).toBe(0o700);
    for (const file of files.filter((f) => fs.existsSync(f))) {
      expect({ file: path.basename(file), mode: modeOf(file).toString(8) }).toEqual({ file: path.basename(file), mode: '600' });
    }
    // Narrowed, not replaced: sign-ins from before the restart stay valid.
    expect(fs.readFileSync(path.join(dataDir, 'jwt-secret'), 'utf8')).toBe(secretBefore);

    // Its gateway lets the web client reach exactly its two IM nodes.
    const res = await fetch(`http://127.0.0.1:${second.port}/healthz`);
    const connectSrc = /connect-src ([^;]*)/.exec(res.headers.get('content-security-policy') ?? '')?.[1] ?? '';
    for (const nodePort of [second.port + 1, second.port + 2]) {
      expect(connectSrc).toContain(`http://127.0.0.1:${nodePort} ws://127.0.0.1:${nodePort}`);
    }
  });
});
