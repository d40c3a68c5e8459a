import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from './free-port';
import type { SpawnProcess, TestService } from './service';

export interface RedisServerOptions {
  /**
   * How long to wait for the server to answer.
   * @default 10_000
   */
  startTimeoutMs?: number;
  /**
   * The redis-server executable.
   * @default 'redis-server' (looked up on PATH)
   */
  binary?: string;
  /** Address to listen on and connect to. @default '127.0.0.1' */
  host?: string;
  /** How the server process is started, e.g. inside a network namespace. @default child_process.spawn */
  spawn?: SpawnProcess;
}

/** A throwaway Redis; `port` lets fault-injection tests restart it in place. */
export interface RedisService extends TestService {
  port: number;
  /** SIGSTOP: the server keeps its socket open but answers nothing (a hung Redis). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
}

/**
 * Starts a throwaway Redis on a free loopback port: no RDB, no AOF, its
 * working directory in a temp dir that stop() removes.
 */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisService> {
  // A free port can be taken between probing and binding: retry a few times.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startRedisOnPort(await findFreePort(), options);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

/**
 * Starts a throwaway Redis on the given loopback port with empty data. Stop
 * a running one and call this with its port to simulate a Redis restart that
 * lost everything (clients keep their URL and reconnect).
 */
export async function startRedisOnPort(port: number, options: RedisServerOptions = {}): Promise<RedisService> {
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const dir = await mkdtemp(join(tmpdir(), 'parley-redis-'));
  const host = options.host ?? '127.0.0.1';
  const child = (options.spawn ?? spawn)(
    options.binary ?? 'redis-server',
    [
      '--port', String(port),
      '--bind', host,
      // Its peers are on other hosts of a test network when host is not loopback.
      '--protected-mode', host === '127.0.0.1' ? 'yes' : 'no',
      '--save', '',
      '--appendonly', 'no',
      '--dir', dir,
      '--daemonize', 'no',
      '--loglevel', 'warning',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // Keep the tail of the output to explain a failed start (e.g. port in use).
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const killOnExit = (): void => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);

  try {
    await waitUntilReady(child, host, port, startTimeoutMs);
  } catch (err) {
    process.removeListener('exit', killOnExit);
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
    throw new Error(`redis-server did not start on port ${port}: ${String(err)}\n${output}`, { cause: err });
  }

  let stopped = false;
  return {
    url: `redis://${host}:${port}`,
    port,
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', killOnExit);
      // A paused server ignores SIGTERM until continued.
      child.kill('SIGCONT');
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntilReady(child: ChildProcess, host: string, port: number, timeoutMs: number): Promise<void> {
  let exited: string | null = null;
  child.once('exit', (code, signal) => {
    exited = `redis-server exited (code ${code}, signal ${signal})`;
  });
  child.once('error', (err) => {
    exited = `redis-server could not be spawned: ${err.message}`;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(exited);
    const pid = await serverPid(host, port);
    // Another server may already answer on a taken port: only ours counts.
    if (pid !== null && pid === child.pid) return;
    if (Date.now() > deadline) throw new Error(`no answer from our redis-server after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The process_id from INFO over a raw socket, or null when nothing answers. */
function serverPid(host: string, port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let reply = '';
    const done = (pid: number | null): void => {
      socket.destroy();
      resolve(pid);
    };
    socket.setTimeout(1_000, () => done(null));
    socket.once('error', () => done(null));
    socket.once('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      // A bulk reply ($len) on success, an error line (-LOADING …) otherwise.
      if (reply.startsWith('-')) return done(null);
      const match = /process_id:(\d+)\r\n/.exec(reply);
      if (match) done(Number(match[1]));
    });
  });
}

/** SIGTERM, then SIGKILL if the server has not exited within 5 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  // pid is undefined when the binary could not be spawned at all.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
