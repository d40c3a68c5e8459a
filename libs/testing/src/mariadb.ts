import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { findFreePort } from './free-port';
import type { TestService } from './service';

const execFileAsync = promisify(execFile);

export interface MariadbOptions {
  /**
   * How long to wait for the server to accept connections.
   * @default 30_000
   */
  startTimeoutMs?: number;
  /**
   * Directory holding `mariadbd` and `mariadb-install-db`; searched on PATH,
   * /usr/sbin and /usr/local/sbin when unset.
   */
  binDir?: string;
}

/**
 * Starts a throwaway MariaDB on a free loopback port with its data in a temp
 * directory. Tuned for fast start-up and tests, not durability: nothing here
 * survives stop().
 */
export async function startMariadb(options: MariadbOptions = {}): Promise<TestService> {
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const mariadbd = findBinary('mariadbd', options.binDir);
  const installDb = findBinary('mariadb-install-db', options.binDir);
  const dir = await mkdtemp(join(tmpdir(), 'parley-mariadb-'));
  const dataDir = join(dir, 'data');
  // mariadbd refuses to run as root unless told to; the harness runs as root in CI.
  const userArgs = process.getuid?.() === 0 ? ['--user=root'] : [];
  const tuning = ['--innodb-buffer-pool-size=64M', '--innodb-log-file-size=8M'];

  try {
    await execFileAsync(installDb, [
      '--no-defaults',
      `--datadir=${dataDir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
      ...userArgs,
      ...tuning,
    ]);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`mariadb-install-db failed: ${describeExecError(err)}`, { cause: err });
  }

  // A free port can be taken between probing and binding: retry a few times.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await findFreePort();
    const child = spawn(
      mariadbd,
      [
        '--no-defaults',
        ...userArgs,
        `--datadir=${dataDir}`,
        `--socket=${join(dir, 'sock')}`,
        `--pid-file=${join(dir, 'mariadbd.pid')}`,
        `--log-error=${join(dir, 'error.log')}`,
        `--tmpdir=${dir}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        '--skip-name-resolve',
        '--skip-log-bin',
        '--performance-schema=OFF',
        '--max-connections=500',
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_unicode_ci',
        '--innodb-flush-log-at-trx-commit=2',
        '--innodb-doublewrite=0',
        // The data dies with the test run: skip the clean-shutdown work.
        '--innodb-fast-shutdown=2',
        ...tuning,
      ],
      { stdio: 'ignore' },
    );
    const killOnExit = (): void => {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    };
    process.once('exit', killOnExit);
    const url = `mysql://root@127.0.0.1:${port}/`;
    try {
      await waitUntilReady(child, port, startTimeoutMs);
    } catch (err) {
      lastError = err;
      process.removeListener('exit', killOnExit);
      await stopChild(child);
      continue;
    }
    let stopped = false;
    return {
      url,
      async stop() {
        if (stopped) return;
        stopped = true;
        process.removeListener('exit', killOnExit);
        await stopChild(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const log = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
  await rm(dir, { recursive: true, force: true });
  throw new Error(`mariadbd did not start: ${String(lastError)}\n${log.slice(-2000)}`, { cause: lastError });
}

/**
 * Creates a uniquely named database on the server at `serverUrl` and returns
 * a URL pointing at it, so each test file gets a clean schema.
 */
export async function createTestDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `parley_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await runOnServer(serverUrl, `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => runOnServer(serverUrl, `DROP DATABASE IF EXISTS \`${name}\``),
  };
}

async function runOnServer(serverUrl: string, sql: string): Promise<void> {
  const url = new URL(serverUrl);
  url.pathname = '/';
  const conn = await createConnection({ uri: url.toString(), connectTimeout: 5_000 });
  try {
    await conn.query(sql);
  } finally {
    await conn.end();
  }
}

function findBinary(name: string, binDir?: string): string {
  const dirs = binDir
    ? [binDir]
    : [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/bin'];
  for (const d of dirs) {
    if (d && existsSync(join(d, name))) return join(d, name);
  }
  throw new Error(`${name} not found (install the mariadb-server package)`);
}

async function waitUntilReady(child: ChildProcess, port: number, timeoutMs: number): Promise<void> {
  let exited: string | null = null;
  child.once('exit', (code, signal) => {
    exited = `mariadbd exited (code ${code}, signal ${signal})`;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(exited);
    try {
      const conn = await createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1_000 });
      await conn.end();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`, { cause: err });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGTERM, then SIGKILL if the server has not exited within 10 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function describeExecError(err: unknown): string {
  const e = err as { message?: string; stderr?: string; stdout?: string };
  return [e.message, e.stderr, e.stdout].filter(Boolean).join('\n').slice(-2000);
}
