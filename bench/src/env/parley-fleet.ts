import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createTestDatabase,
  findFreePort,
  spawnApp,
  serviceToken,
  startConsulSimulator,
  terminate,
  type ClusterProcess,
  type ConsulSimulator,
} from '@parley/testing';
import type { WatchedProcess } from './proc-stats';
import { startRelayProxy, type RelayCounts, type RelayProxy } from './relay-proxy';

/** How many processes of each Parley role run. */
export interface FleetShape {
  nodes: number;
  gateways: number;
}

/** What a step reads from the relay: frames counted by every gateway's proxy, summed. */
export interface RelayCounter {
  counts(): RelayCounts;
  reset(): void;
}

export interface ParleyFleetOptions {
  /** MariaDB server URL: one database is made on it and kept across restarts. */
  mariadbUrl: string;
  redisUrl: string;
  /** Name of the log files under tmp/cluster-logs. */
  name: string;
  gatewayEnv: Record<string, string>;
  nodeEnv: Record<string, string>;
  log(msg: string): void;
}

interface Running {
  gateways: (ClusterProcess & { url: string })[];
  nodes: (ClusterProcess & { nodeId: string; url: string })[];
  proxies: RelayProxy[];
  consul: ConsulSimulator;
}

/**
 * The Parley processes of the bench (G gateways, N IM nodes) with the same
 * environment as libs/testing's startCluster, but restartable in another
 * shape over the same database, Redis namespace and JWT secret: accounts and
 * their tokens stay valid from one topology to the next (S6). Each gateway's
 * relay sits behind its own counting proxy; nodes dial the proxies.
 */
export class ParleyFleet implements RelayCounter {
  private running: Running | undefined;
  /** Shared by the gateways of one start. */
  private probeToken: { token: string } | undefined;

  private constructor(
    private readonly options: ParleyFleetOptions,
    private readonly database: { url: string; drop(): Promise<void> },
    private readonly secrets: { jwt: string; cluster: string; redisPrefix: string },
    private readonly blobDir: string,
  ) {}

  static async create(options: ParleyFleetOptions): Promise<ParleyFleet> {
    const database = await createTestDatabase(options.mariadbUrl);
    const secrets = {
      jwt: crypto.randomBytes(32).toString('hex'),
      cluster: crypto.randomBytes(32).toString('base64url'),
      redisPrefix: `parley-bench-${crypto.randomBytes(4).toString('hex')}:`,
    };
    return new ParleyFleet(options, database, secrets, fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-blobs-')));
  }

  get shape(): FleetShape {
    return { nodes: this.current().nodes.length, gateways: this.current().gateways.length };
  }

  get nodeUrls(): string[] {
    return this.current().nodes.map((n) => n.url);
  }

  /** The first gateway: REST (registration) goes through it. */
  get gatewayUrl(): string {
    const first = this.current().gateways[0];
    if (!first) throw new Error('the fleet has no gateway');
    return first.url;
  }

  /** Server processes to sample: every gateway and IM node. */
  watched(): WatchedProcess[] {
    const { gateways, nodes } = this.current();
    return [
      ...gateways.map((g, i) => ({ name: i === 0 ? 'parley:gateway' : `parley:gateway-${i + 1}`, pid: g.child.pid ?? 0, probed: true })),
      ...nodes.map((n) => ({ name: `parley:${n.nodeId}`, pid: n.child.pid ?? 0, probed: true })),
    ];
  }

  counts(): RelayCounts {
    const total: RelayCounts = { publish: {}, deliver: {}, deltas: 0 };
    const add = (into: Record<string, Record<string, number>>, from: Record<string, Record<string, number>>) => {
      for (const [node, events] of Object.entries(from)) {
        const row = (into[node] ??= {});
        for (const [event, n] of Object.entries(events)) row[event] = (row[event] ?? 0) + n;
      }
    };
    for (const proxy of this.running?.proxies ?? []) {
      const c = proxy.counts();
      add(total.publish, c.publish);
      add(total.deliver, c.deliver);
      total.deltas += c.deltas;
    }
    return total;
  }

  reset(): void {
    for (const proxy of this.running?.proxies ?? []) proxy.reset();
  }

  /** Starts the processes in `shape`, stopping the running ones first (MariaDB, Redis and the accounts stay). */
  async start(shape: FleetShape): Promise<void> {
    await this.stopProcesses();
    this.probeToken = undefined;
    const { options, secrets } = this;
    const consul = await startConsulSimulator({ staggerChecks: false });
    const running: Running = { gateways: [], nodes: [], proxies: [], consul };
    this.running = running;
    const common = {
      PARLEY_CLUSTER_SECRET: secrets.cluster,
      PARLEY_JWT_SECRET: secrets.jwt,
      PARLEY_STORE: 'mysql',
      PARLEY_MYSQL_URL: this.database.url,
      PARLEY_CONSUL_ADDR: `${consul.host}:${consul.port}`,
      PARLEY_LOG_LEVEL: 'info',
      PARLEY_BLOB_DIR: this.blobDir,
      PARLEY_REDIS_URL: options.redisUrl,
      PARLEY_REDIS_PREFIX: secrets.redisPrefix,
      PARLEY_DISCOVERY: 'consul',
    };
    const specs: { id: string; port: number; relayPort: number; proxy: RelayProxy }[] = [];
    for (let i = 1; i <= shape.gateways; i++) {
      const relayPort = await findFreePort();
      const proxy = await startRelayProxy(relayPort);
      running.proxies.push(proxy);
      specs.push({ id: `gw-${i}`, port: await findFreePort(), relayPort, proxy });
    }
    const webOrigins = specs.flatMap((g) => [`http://127.0.0.1:${g.port}`, `http://localhost:${g.port}`]).join(',');
    running.gateways = await Promise.all(
      specs.map(async (g) => {
        const proc = await spawnApp(`${options.name}-${g.id}`, 'apps/gateway/src/main.ts', 'PARLEY_GATEWAY_READY', {
          ...common,
          PARLEY_GATEWAY_ID: g.id,
          PARLEY_PORT: String(g.port),
          PARLEY_RELAY_PORT: String(g.relayPort),
          // Nodes dial the byte-counting proxy in front of the relay: the gateway must answer to its address too.
          PARLEY_RELAY_AUDIENCES: `127.0.0.1:${g.proxy.port}`,
          PARLEY_REGISTER_PER_IP: '1000000',
          ...options.gatewayEnv,
        });
        return { ...proc, url: `http://127.0.0.1:${g.port}` };
      }),
    );
    const nodeEnv = (nodeId: string, port: number) => ({
      ...common,
      PARLEY_NODE_ID: nodeId,
      PARLEY_PORT: String(port),
      PARLEY_GATEWAYS: specs.map((g) => `127.0.0.1:${g.proxy.port}`).join(','),
      PARLEY_ALLOWED_ORIGINS: webOrigins,
      ...options.nodeEnv,
    });
    const launchNode = async (i: number) => {
      const nodeId = `im-${i}`;
      const port = await findFreePort();
      const proc = await spawnApp(`${options.name}-${nodeId}`, 'apps/im-service/src/main.ts', 'PARLEY_NODE_READY', nodeEnv(nodeId, port));
      return { ...proc, nodeId, url: `http://127.0.0.1:${port}` };
    };
    // The first node runs the migrations (a no-op after the first start); the others start together.
    running.nodes.push(await launchNode(1));
    running.nodes.push(...(await Promise.all(Array.from({ length: shape.nodes - 1 }, (_, i) => launchNode(i + 2)))));
    const ids = running.nodes.map((n) => n.nodeId);
    for (const g of running.gateways) await this.waitForHealthyNodes(g.url, ids);
    options.log(`Parley fleet up: ${shape.gateways} gateway(s), ${shape.nodes} IM node(s)`);
  }

  /** Stops the gateways, nodes, relay proxies and Consul of the current shape. */
  async stopProcesses(): Promise<void> {
    const r = this.running;
    if (!r) return;
    this.running = undefined;
    await Promise.all([...r.gateways, ...r.nodes].map((p) => terminate(p, 10_000)));
    for (const proxy of r.proxies) await proxy.close();
    await r.consul.stop();
  }

  async close(): Promise<void> {
    await this.stopProcesses();
    await this.database.drop().catch(() => undefined);
    fs.rmSync(this.blobDir, { recursive: true, force: true });
  }

  private current(): Running {
    if (!this.running) throw new Error('the Parley fleet is not running');
    return this.running;
  }

  /** Waits until the gateway lists exactly these nodes as healthy (as startCluster does). */
  private async waitForHealthyNodes(gatewayUrl: string, nodeIds: readonly string[], timeoutMs = 30_000): Promise<void> {
    const token = await this.token(gatewayUrl);
    const want = [...nodeIds].sort().join(',');
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const res = await fetch(`${gatewayUrl}/api/nodes`, { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
      if (res?.ok) {
        const body = (await res.json()) as { nodes: { nodeId: string }[] };
        last = body.nodes.map((n) => n.nodeId).sort().join(',');
        if (last === want) return;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`gateway ${gatewayUrl} lists nodes [${last}], expected [${want}]`);
  }

  /** A probe account per start: an access token lives 15 minutes, a run with S6 longer. */
  private async token(gatewayUrl: string): Promise<string> {
    this.probeToken ??= { token: await serviceToken(gatewayUrl) };
    return this.probeToken.token;
  }
}
