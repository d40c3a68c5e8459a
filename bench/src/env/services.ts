import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startMariadb, startRedis, type TestService } from '@parley/testing';
import { ParleyFleet, type FleetShape } from './parley-fleet';
import { findPid, ServerStats, type WatchedProcess } from './proc-stats';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const LOG_DIR = path.join(REPO_ROOT, 'tmp', 'cluster-logs');
const PRELOAD = path.join(__dirname, 'probe-preload.cjs');

/**
 * BENCH_SERVER_ENV="K=V,K=V": more environment for every Parley server process,
 * after the bench's own (e.g. PARLEY_LOG_LEVEL=info,PARLEY_TRACE_SAMPLE=0), to
 * measure what a setting costs.
 */
function serverEnvOverrides(spec: string | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of (spec ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0) env[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return env;
}

export interface BenchEnvironment {
  /** The Parley gateways and IM nodes: restartable in another shape (S6). */
  fleet: ParleyFleet;
  baselineNodeUrls: string[];
  stats: ServerStats;
  probeDir: string;
  /** Restarts only the Parley processes, in `shape`; MariaDB, Redis, the accounts and tokens stay. */
  restartParley(shape: FleetShape): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Everything the benchmark measures, as real processes on loopback: a
 * throwaway MariaDB and Redis, the Parley fleet (G gateways + N IM nodes,
 * Consul simulator, the environment of the end-to-end tests' clusters) with
 * each gateway's relay behind a counting proxy, and the baseline (N plain
 * Socket.IO nodes + its own Redis). Server processes get the probe preload.
 */
export async function startEnvironment(shape: FleetShape, log: (msg: string) => void): Promise<BenchEnvironment> {
  const probeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  const probeEnv = { NODE_OPTIONS: `--require ${PRELOAD}`, BENCH_PROBE_DIR: probeDir };
  const overrides = serverEnvOverrides(process.env.BENCH_SERVER_ENV);
  const services: TestService[] = [];
  const baselineChildren: ChildProcess[] = [];
  let fleet: ParleyFleet | undefined;
  const stop = async () => {
    for (const c of baselineChildren) c.kill('SIGTERM');
    await fleet?.close().catch(() => undefined);
    for (const s of services.reverse()) await s.stop().catch(() => undefined);
    fs.rmSync(probeDir, { recursive: true, force: true });
  };
  try {
    log('starting MariaDB and Redis');
    const [mariadb, redis, baselineRedis] = await Promise.all([startMariadb(), startRedis(), startRedis()]);
    services.push(mariadb, redis, baselineRedis);
    log(`starting the Parley fleet (${shape.gateways} gateway(s) + ${shape.nodes} IM nodes)`);
    fleet = await ParleyFleet.create({
      mariadbUrl: mariadb.url,
      redisUrl: redis.url,
      name: `bench-${process.pid}`,
      log,
      gatewayEnv: { ...probeEnv, PARLEY_LOG_LEVEL: 'warn', ...overrides },
      nodeEnv: {
        ...probeEnv,
        PARLEY_LOG_LEVEL: 'warn',
        // The cluster harness shortens these for failure tests; use the production defaults.
        PARLEY_HEARTBEAT_MS: '5000',
        PARLEY_PRESENCE_TTL_MS: '15000',
        // S4 fills a 10,000-message backlog from one sender as setup; the
        // per-user send limit (default 30/s) would make that take minutes.
        PARLEY_SEND_RATE_PER_SEC: '1000000',
        PARLEY_SEND_BURST: '1000000',
        // Likewise the socket's command budget and the cluster-wide per-user send quota
        // (the quota is still asked, in Redis, on every send: its cost is measured).
        PARLEY_COMMAND_BURST: '1000000',
        PARLEY_COMMAND_RATE_PER_SEC: '1000000',
        PARLEY_USER_SEND_LIMIT: '100000000',
        // The setup's friendships and group invitations go past the per-user social quota.
        PARLEY_USER_SOCIAL_LIMIT: '100000000',
        // S7's 10,000-member group.
        PARLEY_GROUP_MAX_MEMBERS: '10000',
        ...overrides,
      },
    });
    await fleet.start(shape);
    const parley = fleet;
    log(`starting the baseline (${shape.nodes} plain Socket.IO nodes + redis-adapter)`);
    const baselineNodeUrls: string[] = [];
    const watched: WatchedProcess[] = fleet.watched();
    for (let i = 1; i <= shape.nodes; i++) {
      const { child, port } = await spawnBaselineNode(i, baselineRedis.url, probeEnv);
      baselineChildren.push(child);
      baselineNodeUrls.push(`http://127.0.0.1:${port}`);
      watched.push({ name: `baseline:node-${i}`, pid: child.pid ?? 0, probed: true });
    }
    const dbPort = new URL(mariadb.url).port;
    const mariadbPid = findPid(['mariadbd', `--port=${dbPort}`]);
    if (mariadbPid) watched.push({ name: 'parley-store:mariadb', pid: mariadbPid, probed: false });
    const redisPid = findPid(['redis-server', `:${new URL(redis.url).port}`]);
    if (redisPid) watched.push({ name: 'parley-store:redis', pid: redisPid, probed: false });
    const baseRedisPid = findPid(['redis-server', `:${new URL(baselineRedis.url).port}`]);
    if (baseRedisPid) watched.push({ name: 'baseline-store:redis', pid: baseRedisPid, probed: false });
    const stats = new ServerStats(watched, probeDir);
    return {
      fleet,
      baselineNodeUrls,
      stats,
      probeDir,
      restartParley: async (next) => {
        await parley.start(next);
        stats.replace('parley:', parley.watched());
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function spawnBaselineNode(
  index: number,
  redisUrl: string,
  probeEnv: Record<string, string>,
): Promise<{ child: ChildProcess; port: number }> {
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const logFile = fs.createWriteStream(path.join(LOG_DIR, `bench-${process.pid}-baseline-${index}.log`));
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/baseline/server.ts'], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...probeEnv,
      BASELINE_PORT: '0',
      BASELINE_REDIS_URL: redisUrl,
      BASELINE_NODE_ID: `baseline-${index}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.pipe(logFile);
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('baseline node did not start')), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = /BASELINE_READY (\d+)/.exec(buffer);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`baseline node exited with ${code}`)));
  });
  return { child, port };
}
