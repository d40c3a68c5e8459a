import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { findFreePort } from './free-port';
import type { SpawnProcess, TestService } from './service';

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
  /**
   * Address to listen on and connect to. Any other than 127.0.0.1 (a host of
   * a test network) lets root in from every address, as a server on its own
   * host must. @default '127.0.0.1'
   */
  host?: string;
  /** How the server process is started, e.g. inside a network namespace. @default child_process.spawn */
  spawn?: SpawnProcess;
}

/**
 * A throwaway MariaDB. Besides stop() (which removes everything), fault
 * injection can take the server down and bring it back on the same port with
 * the same data directory: halt() then start().
 */
export interface MariadbService extends TestService {
  port: number;
  /** True while the server process runs. */
  readonly running: boolean;
  /**
   * Stops the server process but keeps its data: SIGTERM (a clean shutdown)
   * or SIGKILL (a crash; InnoDB recovers on start()).
   */
  halt(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts the server again after halt(): same port, same data. */
  start(): Promise<void>;
}

/**
 * Starts a throwaway MariaDB on a free loopback port with its data in a temp
 * directory. Tuned for fast start-up and tests, not durability: nothing here
 * survives stop(). Committed data survives halt()/start() (and a SIGKILL of
 * the server: the redo log is written to the OS at every commit).
 */
export async function startMariadb(options: MariadbOptions = {}): Promise<MariadbService> {
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const mariadbd = findBinary('mariadbd', options.binDir);
  const installDb = findBinary('mariadb-install-db', options.binDir);
  const dir = await mkdtemp(join(tmpdir(), 'parley-mariadb-'));
  const dataDir = join(dir, 'data');
  // mariadbd refuses to run as root unless told to; the harness runs as root in CI.
  const userArgs = process.getuid?.() === 0 ? ['--user=root'] : [];
  const tuning = ['--innodb-buffer-pool-size=64M', '--innodb-log-file-size=8M'];
  const host = options.host ?? '127.0.0.1';
  const spawnServer = options.spawn ?? spawn;

  try {
    await execFileAsync(installDb, [
      '--no-defaults',
      `--datadir=${dataDir}`,
      // Its temp tables in its own folder: in the shared /tmp, another process's clean-up made one vanish mid-install.
      `--tmpdir=${dir}`,
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

  // Run at every start: a throwaway server on its own test host takes root from its peers.
  const initArgs: string[] = [];
  if (host !== '127.0.0.1') {
    const initFile = join(dir, 'init.sql');
    await writeFile(initFile, "CREATE USER IF NOT EXISTS 'root'@'%';\nGRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;\n");
    initArgs.push(`--init-file=${initFile}`);
  }
  const launch = (port: number): ChildProcess =>
    spawnServer(
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
        `--bind-address=${host}`,
        ...initArgs,
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

  let child: ChildProcess | undefined;
  const killOnExit = (): void => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);

  // A free port can be taken between probing and binding: retry a few times.
  let lastError: unknown;
  let port = 0;
  for (let attempt = 0; attempt < 3 && child === undefined; attempt++) {
    port = await findFreePort();
    const candidate = launch(port);
    try {
      await waitUntilReady(candidate, host, port, startTimeoutMs);
      child = candidate;
    } catch (err) {
      lastError = err;
      await stopChild(candidate);
    }
  }
  if (child === undefined) {
    process.removeListener('exit', killOnExit);
    const log = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
    await rm(dir, { recursive: true, force: true });
    throw new Error(`mariadbd did not start: ${String(lastError)}\n${log.slice(-2000)}`, { cause: lastError });
  }

  let stopped = false;
  const isRunning = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null;
  return {
    url: `mysql://root@${host}:${port}/`,
    port,
    get running() {
      return isRunning();
    },
    async halt(signal = 'SIGTERM') {
      if (!child) return;
      await stopChild(child, signal);
    },
    async start() {
      if (stopped) throw new Error('mariadbd was stopped for good');
      if (isRunning()) return;
      // The old socket may linger in TIME_WAIT for a moment: retry the bind.
      const deadline = Date.now() + startTimeoutMs;
      for (;;) {
        const next = launch(port);
        child = next;
        try {
          await waitUntilReady(next, host, port, Math.max(1_000, deadline - Date.now()));
          return;
        } catch (err) {
          await stopChild(next);
          if (Date.now() > deadline) {
            const log = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
            throw new Error(`mariadbd did not restart on port ${port}: ${String(err)}\n${log.slice(-2000)}`, { cause: err });
          }
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', killOnExit);
      if (child) await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
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

async function waitUntilReady(child: ChildProcess, host: string, port: number, timeoutMs: number): Promise<void> {
  let exited: string | null = null;
  child.once('exit', (code, signal) => {
    exited = `mariadbd exited (code ${code}, signal ${signal})`;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(exited);
    try {
      const conn = await createConnection({ host, port, user: 'root', connectTimeout: 1_000 });
      await conn.end();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`, { cause: err });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGTERM (or the given signal), then SIGKILL if the server has not exited within 10 s. */
async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function describeExecError(err: unknown): string {
  const e = err as { message?: string; stderr?: string; stdout?: string };
  return [e.message, e.stderr, e.stdout].filter(Boolean).join('\n').slice(-2000);
}
