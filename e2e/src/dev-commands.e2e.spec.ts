import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from '@parley/testing';

jest.setTimeout(120_000);

const REPO_ROOT = path.resolve(__dirname, '../..');
const HAS_GIT = spawnSync('git', ['--version']).status === 0;
if (!HAS_GIT) process.stderr.write('dev-commands e2e skipped: git is not installed (it clones the repository)\n');

interface Served {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `npx nx serve <project>` in `cwd`, in a process group of its own (nx → tsx watch → node), resolved at its READY line. */
async function serve(cwd: string, project: string, readyMarker: string, env: Record<string, string>): Promise<Served> {
  const child = spawn('npx', ['nx', 'serve', project], {
    cwd,
    detached: true,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const served: Served = { child, output: () => output, exited };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nx serve ${project} printed no ${readyMarker} in 50 s:\n${output}`)), 50_000);
    const check = (): void => {
      if (!output.includes(readyMarker)) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`nx serve ${project} exited with ${code} before ${readyMarker}:\n${output}`));
    });
  }).catch(async (err: unknown) => {
    await stop(served);
    throw err;
  });
  return served;
}

/** Ends the whole process group (nx, tsx watch and the app under it): SIGTERM, then SIGKILL. */
async function stop(served: Served): Promise<void> {
  const pid = served.child.pid;
  if (pid === undefined) return;
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
  };
  signalGroup('SIGTERM');
  const timer = setTimeout(() => signalGroup('SIGKILL'), 5_000);
  await served.exited;
  clearTimeout(timer);
  // tsx watch's own child may outlive nx: make sure nothing of the group is left.
  signalGroup('SIGKILL');
}

/** SIGKILLs every process whose working directory is `dir` or below (Linux /proc); returns how many. */
function killProcessesIn(dir: string): number {
  let killed = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cwd: string;
    try {
      cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
    } catch {
      continue; // gone, or not ours to read
    }
    if (cwd !== dir && !cwd.startsWith(`${dir}/`)) continue;
    try {
      process.kill(Number(entry), 'SIGKILL');
      killed += 1;
    } catch {
      // exited meanwhile
    }
  }
  return killed;
}

(HAS_GIT ? describe : describe.skip)('the README development commands on a fresh clone (git clone of HEAD)', () => {
  let clone = '';
  const served: Served[] = [];

  beforeAll(() => {
    clone = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-clone-'));
    const cloned = spawnSync('git', ['clone', '--quiet', '--no-local', REPO_ROOT, clone], { encoding: 'utf8' });
    if (cloned.status !== 0) throw new Error(`git clone failed: ${cloned.stderr}`);
    // Dependencies as `npm ci` would install them, without the download.
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
  });

  afterAll(async () => {
    await Promise.all(served.map(stop));
    // nx starts `tsx watch` in a session of its own, out of reach of the group signal: end what still runs in the clone.
    if (clone) killProcessesIn(clone);
    if (clone) fs.rmSync(clone, { recursive: true, force: true });
  });

  it('npx nx serve gateway and npx nx serve im-service both start, and the node relays through the gateway', async () => {
    expect(fs.existsSync(path.join(clone, 'data'))).toBe(false);
    // The committed dev settings, on free ports (the environment wins over --env-file) so a running `npm start` does not collide.
    const [httpPort, relayPort, nodePort] = [await findFreePort(), await findFreePort(), await findFreePort()];
    served.push(
      await serve(clone, 'gateway', 'PARLEY_GATEWAY_READY', {
        PARLEY_PORT: String(httpPort),
        PARLEY_RELAY_PORT: String(relayPort),
        PARLEY_STATIC_NODES: `im-dev=http://127.0.0.1:${nodePort}`,
      }),
    );
    served.push(await serve(clone, 'im-service', 'PARLEY_NODE_READY', { PARLEY_PORT: String(nodePort), PARLEY_GATEWAYS: `127.0.0.1:${relayPort}` }));
    // The SQLite engine made its folder (0700) on the fresh clone.
    expect(fs.statSync(path.join(clone, 'data')).mode & 0o777).toBe(0o700);
    expect(fs.existsSync(path.join(clone, 'data', 'dev.db'))).toBe(true);
    expect((await fetch(`http://127.0.0.1:${httpPort}/readyz`)).status).toBe(200);
    // Ready means its relay stream to the dev gateway is up.
    expect((await fetch(`http://127.0.0.1:${nodePort}/readyz`)).status).toBe(200);
  });
});
