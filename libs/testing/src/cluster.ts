import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { must } from '@parley/util';
import { startConsulSimulator, type ConsulSimulator } from './consul-simulator';
import { spawnApp, terminate, type ClusterProcess } from './cluster-process';
import { findFreePort } from './free-port';
import { createTestPki, type TestPki } from './pki';
import { TEST_PASSWORD } from './test-password';
import { createTestDatabase, startMariadb, type MariadbService } from './mariadb';
import { startRedis, startRedisOnPort, type RedisService } from './redis';

export { terminate, type ClusterProcess } from './cluster-process';

export interface ClusterOptions {
  /** IM nodes to start. @default 2 */
  nodes?: number;
  /** Gateways to start; every node connects to the relay of each. @default 1 */
  gateways?: number;
  /** MySQL server URL; a fresh database is created on it. @default PARLEY_TEST_MYSQL_URL */
  mysqlUrl?: string;
  /** @default PARLEY_TEST_REDIS_URL */
  redisUrl?: string;
  /**
   * Start a throwaway MariaDB and Redis owned by this cluster (stopped by
   * stop()), so fault injection can halt and restart them: see
   * `cluster.mariadb`, `cluster.restartRedis()`. Overrides mysqlUrl/redisUrl.
   */
  ownServices?: boolean;
  /** Extra environment for every IM node. */
  nodeEnv?: Record<string, string>;
  /** Extra environment for every gateway. */
  gatewayEnv?: Record<string, string>;
  /** Name used for log files under tmp/cluster-logs. */
  name?: string;
  /**
   * How relay streams are authenticated: a random cluster secret (default)
   * or mutual TLS with a throwaway CA made for this cluster.
   */
  relayAuth?: 'secret' | 'mtls';
  /**
   * How nodes find the gateways: `list` gives them PARLEY_GATEWAYS; `consul`
   * leaves it unset, so they follow the gateways registered in Consul (and
   * pick up ones started later with addGateway()). @default 'list'
   */
  gatewayDiscovery?: 'list' | 'consul';
}

export interface ClusterNode extends ClusterProcess {
  nodeId: string;
  url: string;
  port: number;
}

export interface ClusterGateway extends ClusterProcess {
  gatewayId: string;
  url: string;
  port: number;
  relayPort: number;
  /** host:port of its gRPC relay. */
  relayAddress: string;
}

export interface Cluster {
  /** The first gateway's HTTP URL. */
  gatewayUrl: string;
  /** The first gateway's relay address. */
  relayAddress: string;
  gatewayUrls: string[];
  consul: ConsulSimulator;
  /** Current node processes, by index; an entry is replaced when the node restarts. */
  nodes: ClusterNode[];
  /** Current gateway processes, by index; an entry is replaced when the gateway restarts. */
  gateways: ClusterGateway[];
  /** The first gateway. */
  readonly gateway: ClusterGateway;
  jwtSecret: string;
  /** The relay's cluster secret (secret mode). */
  clusterSecret: string | undefined;
  /** The cluster's CA and certificates (mtls mode). */
  pki: TestPki | undefined;
  mysqlUrl: string;
  redisUrl: string;
  /** The MariaDB server when the cluster owns it (ownServices): halt() / start() it. */
  mariadb: MariadbService | undefined;
  /** The Redis server when the cluster owns it; replaced by restartRedis(). */
  redis: RedisService | undefined;
  /** Waits until the gateway (the first by default) lists exactly these nodes as healthy. */
  waitForHealthyNodes(nodeIds: readonly string[], timeoutMs?: number, gatewayIndex?: number): Promise<void>;
  /** Sends a signal (SIGKILL by default: a crash) to node i and waits for it to exit; resolves with the exit code. */
  killNode(index: number, signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGTERM to node i (graceful drain) and waits for it to exit; SIGKILL after timeoutMs. */
  drainNode(index: number, timeoutMs?: number): Promise<number | null>;
  /** Starts node i again (stopping it first if it still runs): same node id, same port. */
  restartNode(index: number): Promise<ClusterNode>;
  /** Starts one more gateway (gw-<n>), registered in Consul like the others; nodes given a list do not know it. */
  addGateway(): Promise<ClusterGateway>;
  /** Stops gateway i (SIGTERM: it leaves Consul first) and waits for it to exit; the entry stays, exited. */
  stopGateway(index: number, signal?: NodeJS.Signals): Promise<number | null>;
  /** Stops gateway i (SIGTERM by default) and starts it again on the same HTTP and relay ports. */
  restartGateway(index: number, signal?: NodeJS.Signals): Promise<ClusterGateway>;
  /** Stops the owned Redis and starts an empty one on the same port (a restart that lost everything). */
  restartRedis(): Promise<void>;
  stop(): Promise<void>;
}

interface NodeSpec {
  nodeId: string;
  port: number;
}

interface GatewaySpec {
  gatewayId: string;
  port: number;
  relayPort: number;
}

/**
 * Starts real processes on loopback: G gateways and N IM nodes on MySQL +
 * Redis, discovering each other through a Consul API simulator, exactly as
 * a cluster does (only Consul itself is simulated). Every node connects to
 * every gateway's relay. Processes can be killed, drained and restarted in
 * place for fault injection.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const name = options.name ?? `cluster-${process.pid}-${Date.now()}`;
  const gatewayCount = options.gateways ?? 1;
  // Clients and the health wait go through the first gateway.
  if (gatewayCount < 1) throw new Error(`startCluster: gateways is ${gatewayCount}; a cluster needs at least one`);
  let mariadb: MariadbService | undefined;
  let redis: RedisService | undefined;
  let consul: ConsulSimulator | undefined;
  let database: { url: string; drop(): Promise<void> } | undefined;
  let pki: TestPki | undefined;
  // Attachments (fs engine): one directory the cluster's gateways and nodes share, as a volume would be.
  const blobDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cluster-blobs-'));
  const gateways: ClusterGateway[] = [];
  const nodes: ClusterNode[] = [];

  const stopAll = async (): Promise<void> => {
    await Promise.all([...gateways, ...nodes].map((p) => terminate(p, 10_000)));
    await consul?.stop();
    if (mariadb) await mariadb.stop();
    else await database?.drop().catch(() => undefined);
    await redis?.stop();
    pki?.remove();
    fs.rmSync(blobDir, { recursive: true, force: true });
  };

  try {
    if (options.ownServices) {
      [mariadb, redis] = await Promise.all([startMariadb(), startRedis()]);
    }
    const mysqlServer = mariadb?.url ?? options.mysqlUrl ?? requiredEnv('PARLEY_TEST_MYSQL_URL');
    const redisUrl = redis?.url ?? options.redisUrl ?? requiredEnv('PARLEY_TEST_REDIS_URL');
    database = await createTestDatabase(mysqlServer);
    consul = await startConsulSimulator({ staggerChecks: false });
    const jwtSecret = crypto.randomBytes(32).toString('hex');
    // Test clusters share one Redis and reuse node ids (im-0, im-1...): without a
    // namespace each, one cluster's shutdown would clear another's presence.
    const redisPrefix = `parley-${crypto.randomBytes(4).toString('hex')}:`;
    const clusterSecret = options.relayAuth === 'mtls' ? undefined : crypto.randomBytes(32).toString('base64url');
    if (options.relayAuth === 'mtls') pki = createTestPki();
    const tlsEnv = (files: { cert: string; key: string }): Record<string, string> =>
      pki ? { PARLEY_RELAY_TLS_CA: pki.caCert, PARLEY_RELAY_TLS_CERT: files.cert, PARLEY_RELAY_TLS_KEY: files.key } : {};
    const common = {
      ...(clusterSecret ? { PARLEY_CLUSTER_SECRET: clusterSecret } : {}),
      PARLEY_JWT_SECRET: jwtSecret,
      PARLEY_STORE: 'mysql',
      PARLEY_MYSQL_URL: database.url,
      PARLEY_CONSUL_ADDR: `${consul.host}:${consul.port}`,
      PARLEY_LOG_LEVEL: 'info',
      PARLEY_BLOB_DIR: blobDir,
    };

    const gatewaySpecs: GatewaySpec[] = [];
    for (let i = 1; i <= gatewayCount; i++) {
      gatewaySpecs.push({ gatewayId: `gw-${i}`, port: await findFreePort(), relayPort: await findFreePort() });
    }
    const relayList = gatewaySpecs.map((g) => `127.0.0.1:${g.relayPort}`).join(',');
    // The web client is served by the gateways: their pages may open sessions on the nodes.
    const webOrigins = gatewaySpecs.flatMap((g) => [`http://127.0.0.1:${g.port}`, `http://localhost:${g.port}`]).join(',');

    const launchGateway = async (spec: GatewaySpec): Promise<ClusterGateway> => {
      const proc = await spawnApp(`${name}-${spec.gatewayId}`, 'apps/gateway/src/main.ts', 'PARLEY_GATEWAY_READY', {
        ...common,
        ...(pki ? tlsEnv(pki.gateway) : {}),
        PARLEY_GATEWAY_ID: spec.gatewayId,
        PARLEY_PORT: String(spec.port),
        PARLEY_RELAY_PORT: String(spec.relayPort),
        PARLEY_DISCOVERY: 'consul',
        // Login and registration limits counted in the cluster's Redis, shared by its gateways.
        PARLEY_REDIS_URL: redisUrl,
        PARLEY_REDIS_PREFIX: redisPrefix,
        // Tests, benches and fault runs register many users from 127.0.0.1; a test of the limit sets its own.
        PARLEY_REGISTER_PER_IP: '1000000',
        ...options.gatewayEnv,
      });
      return {
        ...proc,
        ...spec,
        url: `http://127.0.0.1:${spec.port}`,
        relayAddress: `127.0.0.1:${spec.relayPort}`,
      };
    };
    const launchNode = async (spec: NodeSpec): Promise<ClusterNode> => {
      const proc = await spawnApp(`${name}-${spec.nodeId}`, 'apps/im-service/src/main.ts', 'PARLEY_NODE_READY', {
        ...common,
        ...(pki ? tlsEnv(pki.node(spec.nodeId)) : {}),
        PARLEY_NODE_ID: spec.nodeId,
        PARLEY_PORT: String(spec.port),
        ...(options.gatewayDiscovery === 'consul' ? {} : { PARLEY_GATEWAYS: relayList }),
        PARLEY_REDIS_URL: redisUrl,
        PARLEY_REDIS_PREFIX: redisPrefix,
        PARLEY_DISCOVERY: 'consul',
        PARLEY_HEARTBEAT_MS: '1000',
        PARLEY_PRESENCE_TTL_MS: '3000',
        PARLEY_ALLOWED_ORIGINS: webOrigins,
        ...options.nodeEnv,
      });
      return { ...proc, ...spec, url: `http://127.0.0.1:${spec.port}` };
    };

    gateways.push(...(await Promise.all(gatewaySpecs.map(launchGateway))));
    // Started one at a time: the first runs the migrations, the rest find them done.
    for (let i = 1; i <= (options.nodes ?? 2); i++) {
      nodes.push(await launchNode({ nodeId: `im-${i}`, port: await findFreePort() }));
    }

    const gatewayAt = (index: number): ClusterGateway => must(gateways[index], `gateway ${index}`);
    const nodeAt = (index: number): ClusterNode => must(nodes[index], `node ${index}`);
    const cluster: Cluster = {
      gatewayUrl: gatewayAt(0).url,
      relayAddress: gatewayAt(0).relayAddress,
      gatewayUrls: gateways.map((g) => g.url),
      consul,
      nodes,
      gateways,
      get gateway() {
        return gatewayAt(0);
      },
      jwtSecret,
      clusterSecret,
      pki,
      mysqlUrl: database.url,
      redisUrl,
      mariadb,
      redis,
      waitForHealthyNodes: (ids, timeoutMs = 15_000, gatewayIndex = 0) =>
        waitForHealthyNodes(gatewayAt(gatewayIndex).url, ids, timeoutMs),
      async killNode(index, signal = 'SIGKILL') {
        const node = nodeAt(index);
        if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill(signal);
        return node.exited;
      },
      async drainNode(index, timeoutMs = 30_000) {
        const node = nodeAt(index);
        await terminate(node, timeoutMs);
        return node.exited;
      },
      async restartNode(index) {
        const old = nodeAt(index);
        await terminate(old, 10_000);
        nodes[index] = await launchNode({ nodeId: old.nodeId, port: old.port });
        return nodes[index];
      },
      async addGateway() {
        const spec = { gatewayId: `gw-${gateways.length + 1}`, port: await findFreePort(), relayPort: await findFreePort() };
        const gateway = await launchGateway(spec);
        gateways.push(gateway);
        return gateway;
      },
      async stopGateway(index, signal = 'SIGTERM') {
        const gateway = gatewayAt(index);
        if (signal === 'SIGTERM') await terminate(gateway, 10_000);
        else if (gateway.child.exitCode === null && gateway.child.signalCode === null) gateway.child.kill(signal);
        return gateway.exited;
      },
      async restartGateway(index, signal = 'SIGTERM') {
        const old = gatewayAt(index);
        if (signal === 'SIGTERM') await terminate(old, 10_000);
        else {
          old.child.kill(signal);
          await old.exited;
        }
        gateways[index] = await launchGateway({ gatewayId: old.gatewayId, port: old.port, relayPort: old.relayPort });
        return gateways[index];
      },
      async restartRedis() {
        const current = cluster.redis;
        if (!current) throw new Error('restartRedis needs a cluster started with ownServices');
        await current.stop();
        cluster.redis = await startRedisOnPort(current.port);
        redis = cluster.redis;
      },
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
    const res = await fetch(`${gatewayUrl}/api/nodes`, { headers: { authorization: `Bearer ${token}` } }).catch(
      () => undefined,
    );
    if (res?.ok) {
      const body = (await res.json()) as { nodes: { nodeId: string }[] };
      last = body.nodes.map((n) => n.nodeId).sort().join(',');
      if (last === want) return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gateway lists nodes [${last}], expected [${want}]`);
}

/** A throwaway account's access token (reading the node list, probing a fleet). */
export async function serviceToken(gatewayUrl: string): Promise<string> {
  const username = `probe_${crypto.randomBytes(4).toString('hex')}`;
  const res = await fetch(`${gatewayUrl}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: TEST_PASSWORD }),
  });
  if (!res.ok) throw new Error(`probe registration failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}
