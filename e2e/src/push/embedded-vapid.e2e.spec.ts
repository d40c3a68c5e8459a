import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { findFreePort, spawnApp, terminate, type ClusterProcess } from '@parley/testing';

jest.setTimeout(120_000);

/** Embedded mode on a free port and the two after it (its IM nodes); retried if another process takes them first. */
async function startEmbedded(dataDir: string): Promise<{ proc: ClusterProcess; url: string }> {
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    try {
      const proc = await spawnApp('embedded-vapid', 'apps/embedded/src/main.ts', 'Parley is running', {
        PARLEY_PORT: String(port),
        PARLEY_DATA_DIR: dataDir,
        PARLEY_STATIC_DIR: path.join(dataDir, 'no-web-client'),
        PARLEY_LOG_LEVEL: 'warn',
      });
      return { proc, url: `http://127.0.0.1:${port}` };
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

const publicKeyOf = async (url: string): Promise<string> => {
  const res = await fetch(`${url}/api/push/vapid-public-key`);
  expect(res.status).toBe(200);
  return z.object({ publicKey: z.string() }).parse(await res.json()).publicKey;
};

describe('embedded mode and push', () => {
  let root: string;
  let running: ClusterProcess | undefined;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-embedded-vapid-'));
  });
  afterAll(async () => {
    if (running) await terminate(running);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('makes a VAPID key pair once into data/vapid.json (0600), serves its public key, and keeps it across restarts', async () => {
    const dataDir = path.join(root, 'data');
    const first = await startEmbedded(dataDir);
    running = first.proc;
    const file = path.join(dataDir, 'vapid.json');
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
    const contents = fs.readFileSync(file, 'utf8');
    const stored = z.object({ publicKey: z.string(), privateKey: z.string() }).parse(JSON.parse(contents));
    expect(await publicKeyOf(first.url)).toBe(stored.publicKey);
    await terminate(first.proc);

    const second = await startEmbedded(dataDir);
    running = second.proc;
    // The same key: browsers that subscribed before the restart still get pushes.
    expect(await publicKeyOf(second.url)).toBe(stored.publicKey);
    expect(fs.readFileSync(file, 'utf8')).toBe(contents);
  });
});
