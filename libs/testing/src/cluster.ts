import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startConsulSimulator, type ConsulSimulator } from './consul-simulator';
import { findFreePort } from './free-port';
import { createTestDatabase } from './mariadb';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const LOG_DIR = path.join(REPO_ROOT, 'tmp', 'cluster-logs');

export interface ClusterOptions {
  /** IM nodes to start. @default 2 */
  nodes?: number;
  /** MySQL server URL; a fresh database is created on it. @default PARLEY_TEST_MYSQL_URL */
  mysqlUrl?: string;
  /** @default PARLEY_TEST_REDIS_URL */
  redisUrl?: string;
  /** Extra environment for every IM node. */
  nodeEnv?: Record<string, string>;
  /** Extra environment for the gateway. */
  gatewayEnv?: Record<string, string>;
  /** Name used for log files under tmp/cluster-logs. */
  name?: string;
}

export interface ClusterProcess {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

export interface ClusterNode extends ClusterProcess {
  nodeId: string;
  url: string;
  port: number;
}

export interface Cluster {
  gatewayUrl: string;
  relayAddress: string;
  consul: ConsulSimulator;
  nodes: ClusterNode[];
  gateway: ClusterProcess;
  jwtSecret: string;
  mysqlUrl: string;
  /** Waits until the gateway lists exactly these nodes as healthy. */
  waitForHealthyNodes(nodeIds: readonly string[], timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts real processes on loopback: one gateway and N IM nodes on MySQL +
 * Redis, discovering each other through a Consul API simulator, exactly as
 * a cluster does (only Consul itself is simulated).
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const mysqlServer = options.mysqlUrl ?? requiredEnv('PARLEY_TEST_MYSQL_URL');
  const redisUrl = options.redisUrl ?? requiredEnv('PARLEY_TEST_REDIS_URL');
  const name = options.name ?? `cluster-${process.pid}-${Date.now()}`;
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const database = await createTestDatabase(mysqlServer);
  const consul = await startConsulSimulator({ staggerChecks: false });
  const jwtSecret = crypto.randomBytes(32).toString('hex');
  const [httpPort, relayPort] = [await findFreePort(), await findFreePort()];
  const common = {
    PARLEY_JWT_SECRET: jwtSecret,
    PARLEY_STORE: 'mysql',
    PARLEY_MYSQL_URL: database.url,
    PARLEY_CONSUL_ADDR: `${consul.host}:${consul.port}`,
    PARLEY_LOG_LEVEL: 'info',
  };
  const started: ClusterProcess[] = [];
  const stopAll = async () => {
    await Promise.all(started.map((p) => terminate(p)));
    await consul.stop();
    await database.drop().catch(() => undefined);
  };
  try {
    const gateway = await spawnApp(`${name}-gateway`, 'apps/gateway/src/main.ts', 'PARLEY_GATEWAY_READY', {
      ...common,
      PARLEY_PORT: String(httpPort),
      PARLEY_RELAY_PORT: String(relayPort),
      PARLEY_DISCOVERY: 'consul',
      ...options.gatewayEnv,
    });
    started.push(gateway.proc);
    const nodes: ClusterNode[] = [];
    const count = options.nodes ?? 2;
    // Started one at a time: the first runs the migrations, the rest find them done.
    for (let i = 1; i <= count; i++) {
      const port = await findFreePort();
      const nodeId = `im-${i}`;
      const node = await spawnApp(`${name}-${nodeId}`, 'apps/im-service/src/main.ts', 'PARLEY_NODE_READY', {
        ...common,
        PARLEY_NODE_ID: nodeId,
        PARLEY_PORT: String(port),
        PARLEY_GATEWAYS: `127.0.0.1:${relayPort}`,
        PARLEY_REDIS_URL: redisUrl,
        PARLEY_DISCOVERY: 'consul',
        PARLEY_HEARTBEAT_MS: '1000',
        PARLEY_PRESENCE_TTL_MS: '3000',
        ...options.nodeEnv,
      });
      started.push(node.proc);
      nodes.push({ ...node.proc, nodeId, port, url: `http://127.0.0.1:${port}` });
    }
    const gatewayUrl = `http://127.0.0.1:${httpPort}`;
    const cluster: Cluster = {
      gatewayUrl,
      relayAddress: `127.0.0.1:${relayPort}`,
      consul,
      nodes,
      gateway: gateway.proc,
      jwtSecret,
      mysqlUrl: database.url,
      waitForHealthyNodes: (ids, timeoutMs = 15_000) => waitForHealthyNodes(gatewayUrl, ids, timeoutMs),
      stop: stopAll,
    };
    await cluster.waitForHealthyNodes(nodes.map((n) => n.nodeId));
    return cluster;
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function requiredEnv(key: string): string {
  const value = process.env[key];
  if (!value) throw new Error(`${key} is not set: run through jest (global setup) or set it`);
  return value;
}

async function spawnApp(
  name: string,
  entry: string,
  readyMarker: string,
  env: Record<string, string>,
): Promise<{ proc: ClusterProcess }> {
  const log = fs.createWriteStream(path.join(LOG_DIR, `${name}.log`));
  const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: REPO_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  await new Promise<void>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not become ready; see tmp/cluster-logs/${name}.log`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      if (buffer.includes(readyMarker)) {
        clearTimeout(timer);
        resolve();
      }
      if (buffer.length > 1_000_000) buffer = buffer.slice(-10_000);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before ready; see tmp/cluster-logs/${name}.log`));
    });
  });
  return { proc: { name, child, exited } };
}

/** SIGTERM, then SIGKILL if the process lingers. */
export async function terminate(proc: ClusterProcess, graceMs = 5_000): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

async function waitForHealthyNodes(
  gatewayUrl: string,
  nodeIds: readonly string[],
  timeoutMs: number,
): Promise<void> {
  const token = await serviceToken(gatewayUrl);
  const want = [...nodeIds].sort().join(',');
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const res = await fetch(`${gatewayUrl}/api/nodes`, { headers: { authorization: `Bearer ${token}` } });
    if (res.ok) {
      const body = (await res.json()) as { nodes: { nodeId: string }[] };
      last = body.nodes.map((n) => n.nodeId).sort().join(',');
      if (last === want) return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gateway lists nodes [${last}], expected [${want}]`);
}

/** A throwaway account used only to read the node list. */
async function serviceToken(gatewayUrl: string): Promise<string> {
  const username = `probe_${crypto.randomBytes(4).toString('hex')}`;
  const res = await fetch(`${gatewayUrl}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'probe-password-1' }),
  });
  if (!res.ok) throw new Error(`probe registration failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}
