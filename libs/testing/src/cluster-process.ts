import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { SpawnProcess } from './service';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const LOG_DIR = path.join(REPO_ROOT, 'tmp', 'cluster-logs');
/** Logs this process has opened: a restart appends, a new run starts the file afresh. */
const openedLogs = new Set<string>();

export interface ClusterProcess {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) once the process has exited. */
  exited: Promise<number | null>;
}

export interface SpawnAppOptions {
  /** Folder of the log file. @default tmp/cluster-logs */
  logDir?: string;
  /** How the process is started, e.g. inside a network namespace (NetnsNetwork.spawnIn). @default child_process.spawn */
  spawn?: SpawnProcess;
}

/**
 * Spawns an app entry point under tsx and resolves once it prints its ready
 * marker. Output goes to <logDir>/<name>.log (truncated on the
 * first start in this process, appended to on restarts). The child is SIGKILLed if this process exits first, so an
 * aborted run leaves nothing behind.
 */
export async function spawnApp(
  name: string,
  entry: string,
  readyMarker: string,
  env: Record<string, string>,
  options: SpawnAppOptions = {},
): Promise<ClusterProcess> {
  const logDir = options.logDir ?? LOG_DIR;
  fs.mkdirSync(logDir, { recursive: true });
  const file = path.join(logDir, `${name}.log`);
  const shownFile = path.relative(REPO_ROOT, file);
  const log = fs.createWriteStream(file, { flags: openedLogs.has(file) ? 'a' : 'w' });
  openedLogs.add(file);
  log.write(`--- ${new Date().toISOString()} starting ${name}\n`);
  const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
  const child = (options.spawn ?? spawn)(process.execPath, ['--import', 'tsx', entry], {
    cwd: REPO_ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      process.removeListener('exit', killOnExit);
      resolve(code);
    }),
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  try {
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      const timer = setTimeout(() => reject(new Error(`${name} did not become ready; see ${shownFile}`)), 60_000);
      const onData = (chunk: Buffer): void => {
        buffer += chunk.toString('utf8');
        if (buffer.includes(readyMarker)) {
          clearTimeout(timer);
          child.stdout?.off('data', onData);
          resolve();
        }
        if (buffer.length > 1_000_000) buffer = buffer.slice(-10_000);
      };
      child.stdout?.on('data', onData);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with ${code} before ready; see ${shownFile}`));
      });
    });
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }
  return { name, child, exited };
}

/** SIGTERM, then SIGKILL if the process lingers past graceMs. */
export async function terminate(proc: ClusterProcess, graceMs = 5_000): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  await proc.exited;
  clearTimeout(timer);
}
