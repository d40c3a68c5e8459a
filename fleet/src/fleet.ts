import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  TEST_PASSWORD,
  createNetnsNetwork,
  createTestDatabase,
  spawnApp,
  startMariadb,
  startRedisOnPort,
  terminate,
  type ClusterProcess,
  type MariadbService,
  type NetnsHost,
  type NetnsNetwork,
  type RedisService,
  type SpawnProcess,
} from '@parley/testing';
import { startEntry, type Entry } from './entry';
import { waitFor } from './wait';

/** Every host listens on the well-known port of its kind: hosts differ by address, as machines do. */
export const FLEET_PORTS = {
  gatewayHttp: 8080,
  relay: 50051,
  node: 9101,
  consul: 8500,
  redis: 6379,
  dnsControl: 8053,
} as const;

const REPO_ROOT = path.resolve(__dirname, '../..');
export const FLEET_LOG_DIR = path.join(REPO_ROOT, 'tmp', 'fleet-logs');
/** The name nginx resolves for the gateways (ENTRY_GATEWAY): one A record per live gateway. */
const GATEWAY_NAME = 'gateway';

export interface FleetApp {
  id: string;
  kind: 'gateway' | 'node';
  host: NetnsHost;
  process: ClusterProcess;
}

export interface FleetOptions {
  log: (line: string) => void;
}

/**
 * A fleet on separate hosts: every process in a network namespace of its own
 * with its own address on one bridge (the test process is the "driver" host on
 * the bridge's address, where the simulated users run). MariaDB, Redis, the
 * Consul simulator, a DNS server and nginx (the one public entry) start with
 * the fleet; gateways and IM nodes are added, killed and drained by the
 * scenario. Apps start from their entry points with the environment an
 * operator would give them: discovery through Consul, advertised addresses,
 * the public entry, and no list of the other processes anywhere.
 */
export class Fleet {
  readonly gateways = new Map<string, FleetApp>();
  readonly nodes = new Map<string, FleetApp>();
  private readonly services: ClusterProcess[] = [];
  private probeToken: string | undefined;
  private readonly jwtSecret = crypto.randomBytes(32).toString('hex');
  private readonly clusterSecret = crypto.randomBytes(32).toString('base64url');

  private constructor(
    private readonly net: NetnsNetwork,
    private readonly log: (line: string) => void,
    private readonly hosts: { db: NetnsHost; redis: NetnsHost; consul: NetnsHost; dns: NetnsHost; entry: NetnsHost },
    private mariadb: MariadbService | undefined,
    private redis: RedisService | undefined,
    private entry: Entry | undefined,
    private mysqlUrl = '',
  ) {}

  /** Makes the network and starts the fleet's services (no gateway or node yet). Everything is undone if a step fails. */
  static async start(options: FleetOptions): Promise<Fleet> {
    // Every server and app started registers an exit hook that kills it if this process dies first: a dozen or more.
    process.setMaxListeners(Math.max(process.getMaxListeners(), 50));
    fs.rmSync(FLEET_LOG_DIR, { recursive: true, force: true });
    fs.mkdirSync(FLEET_LOG_DIR, { recursive: true });
    const net = await createNetnsNetwork();
    let fleet: Fleet | undefined;
    try {
      const hosts = {
        db: await net.addHost('db'),
        redis: await net.addHost('redis'),
        consul: await net.addHost('consul'),
        dns: await net.addHost('dns'),
        entry: await net.addHost('entry'),
      };
      fleet = new Fleet(net, options.log, hosts, undefined, undefined, undefined);
      await fleet.startServices();
      return fleet;
    } catch (err) {
      if (fleet) await fleet.stop();
      else await net.teardown();
      throw err;
    }
  }

  /** The public entry's base URL: clients know nothing else. */
  get entryUrl(): string {
    return `http://${this.hosts.entry.address}`;
  }

  get driverAddress(): string {
    return this.net.driverAddress;
  }

  get consulUrl(): string {
    return `http://${this.hosts.consul.address}:${FLEET_PORTS.consul}`;
  }

  private async startServices(): Promise<void> {
    const { db, redis, consul, dns, entry } = this.hosts;
    const [mariadb, redisServer] = await Promise.all([
      startMariadb({ host: db.address, spawn: this.spawnOn(db) }),
      startRedisOnPort(FLEET_PORTS.redis, { host: redis.address, spawn: this.spawnOn(redis) }),
      this.startScript('consul', consul, 'fleet/src/hosts/consul-host.ts', 'CONSUL_HOST_READY', {
        FLEET_CONSUL_HOST: consul.address,
        FLEET_CONSUL_PORT: String(FLEET_PORTS.consul),
      }),
      this.startScript('dns', dns, 'fleet/src/hosts/dns-host.ts', 'DNS_HOST_READY', {
        FLEET_DNS_HOST: dns.address,
        FLEET_DNS_CONTROL_PORT: String(FLEET_PORTS.dnsControl),
      }),
    ]);
    this.mariadb = mariadb;
    this.redis = redisServer;
    this.mysqlUrl = (await createTestDatabase(mariadb.url)).url;
    this.log(`services up: mariadb ${db.address}, redis ${redis.address}, consul ${consul.address}, dns ${dns.address}`);
    this.entry = await startEntry({
      net: this.net,
      host: entry,
      resolver: dns.address,
      gateway: `${GATEWAY_NAME}:${FLEET_PORTS.gatewayHttp}`,
      nodePort: FLEET_PORTS.node,
      logDir: FLEET_LOG_DIR,
    });
    this.log(`public entry (nginx) at ${this.entryUrl}`);
  }

  /** Starts gateways, each on a new host; the gateways' DNS name then answers every live one. */
  async addGateways(ids: readonly string[]): Promise<FleetApp[]> {
    const started = await Promise.all(
      ids.map(async (id) => {
        const host = await this.net.addHost(id);
        const proc = await this.startApp(id, host, 'apps/gateway/src/main.ts', 'PARLEY_GATEWAY_READY', this.gatewayEnv(id, host));
        const app: FleetApp = { id, kind: 'gateway', host, process: proc };
        this.gateways.set(id, app);
        return app;
      }),
    );
    await this.publishGatewayRecords();
    return started;
  }

  /** Starts IM nodes, each on a new host whose name is its node id (set in DNS as it starts, as a platform would). */
  async addNodes(ids: readonly string[]): Promise<FleetApp[]> {
    return Promise.all(
      ids.map(async (id) => {
        const host = await this.net.addHost(id);
        await this.setDns(id, [host.address]);
        const proc = await this.startApp(id, host, 'apps/im-service/src/main.ts', 'PARLEY_NODE_READY', this.nodeEnv(id, host));
        const app: FleetApp = { id, kind: 'node', host, process: proc };
        this.nodes.set(id, app);
        return app;
      }),
    );
  }

  /** kill -9: the gateway dies mid-work. Its address leaves the gateways' DNS name, as a platform's health check would take it out. */
  async killGateway(id: string): Promise<void> {
    const app = this.mustGet(this.gateways, id);
    app.process.child.kill('SIGKILL');
    await app.process.exited;
    this.gateways.delete(id);
    await this.publishGatewayRecords();
  }

  /** SIGTERM: the node drains and exits; resolves with its exit code. Its DNS name goes once it is gone. */
  async drainNode(id: string, timeoutMs = 30_000): Promise<number | null> {
    const app = this.mustGet(this.nodes, id);
    await terminate(app.process, timeoutMs);
    const code = await app.process.exited;
    this.nodes.delete(id);
    await this.deleteDns(id);
    return code;
  }

  /** Waits until Consul lists a passing instance of the service on each of these hosts (its advertised address). */
  async waitForConsulPassing(service: 'parley-im' | 'parley-gateway', apps: readonly FleetApp[], timeoutMs = 30_000): Promise<void> {
    const want = apps.map((a) => a.host.address).sort();
    await waitFor(`Consul to pass ${service} on ${want.join(', ')}`, timeoutMs, async () => {
      const res = await fetch(`${this.consulUrl}/v1/health/service/${service}?passing=true`);
      const entries = (await res.json()) as { Service: { Address: string } }[];
      const passing = new Set(entries.map((e) => e.Service.Address));
      const missing = want.filter((a) => !passing.has(a));
      return missing.length === 0 ? true : `not passing: ${missing.join(', ')}`;
    });
  }

  /** Waits until every live node holds an established relay connection to every live gateway. */
  async waitForRelayMesh(timeoutMs = 30_000): Promise<void> {
    await waitFor('every node to stream to every gateway', timeoutMs, async () => {
      const gateways = [...this.gateways.values()].map((g) => g.host.address);
      for (const node of this.nodes.values()) {
        const peers = await this.relayPeers(node);
        const missing = gateways.filter((g) => !peers.has(g));
        if (missing.length > 0) return `${node.id} has no relay connection to ${missing.join(', ')}`;
      }
      return true;
    });
  }

  /** Waits until every node's /readyz answers 200 (not draining, a relay stream ready). */
  async waitForNodesReady(timeoutMs = 30_000): Promise<void> {
    await waitFor('every node ready (/readyz)', timeoutMs, async () => {
      for (const node of this.nodes.values()) {
        const res = await fetch(`http://${node.host.address}:${FLEET_PORTS.node}/readyz`).catch(() => undefined);
        if (res?.status !== 200) return `${node.id} answers ${res?.status ?? 'nothing'}`;
      }
      return true;
    });
  }

  /** Waits until every live gateway hands out exactly the live nodes (GET /api/nodes on each, directly). */
  async waitForAssignable(timeoutMs = 30_000): Promise<void> {
    const token = await this.token();
    const want = [...this.nodes.keys()].sort().join(',');
    await waitFor(`every gateway to hand out [${want}]`, timeoutMs, async () => {
      for (const gateway of this.gateways.values()) {
        const res = await fetch(`http://${gateway.host.address}:${FLEET_PORTS.gatewayHttp}/api/nodes`, {
          headers: { authorization: `Bearer ${token}` },
        }).catch(() => undefined);
        if (!res?.ok) return `${gateway.id} answers ${res?.status ?? 'nothing'}`;
        const listed = ((await res.json()) as { nodes: { nodeId: string }[] }).nodes.map((n) => n.nodeId).sort().join(',');
        if (listed !== want) return `${gateway.id} hands out [${listed}]`;
      }
      return true;
    });
  }

  /** Bytes the gateway's relay has received on its live node connections (TCP counters, read with `ss` on its host). */
  async relayBytesIn(id: string): Promise<number> {
    const app = this.mustGet(this.gateways, id);
    const out = await this.net.exec(app.host, 'ss', ['-Htin', 'state', 'established', 'sport', '=', `:${FLEET_PORTS.relay}`]);
    let total = 0;
    for (const match of out.matchAll(/bytes_received:(\d+)/g)) total += Number(match[1]);
    return total;
  }

  async stop(): Promise<void> {
    const apps = [...this.gateways.values(), ...this.nodes.values()].map((a) => a.process);
    await Promise.all([...apps, ...this.services].map((p) => terminate(p, 5_000)));
    await this.entry?.stop();
    await this.redis?.stop();
    await this.mariadb?.stop();
    await this.net.teardown();
  }

  private gatewayEnv(id: string, host: NetnsHost): Record<string, string> {
    return {
      ...this.commonEnv(host),
      PARLEY_GATEWAY_ID: id,
      PARLEY_PORT: String(FLEET_PORTS.gatewayHttp),
      PARLEY_RELAY_HOST: '0.0.0.0',
      PARLEY_RELAY_PORT: String(FLEET_PORTS.relay),
      PARLEY_PUBLIC_ENTRY: this.entryUrl,
      // The clients' address as nginx saw it: every simulated user comes from the driver host.
      PARLEY_TRUST_PROXY: this.hosts.entry.address,
      PARLEY_REGISTER_PER_IP: '1000000',
    };
  }

  private nodeEnv(id: string, host: NetnsHost): Record<string, string> {
    return {
      ...this.commonEnv(host),
      PARLEY_NODE_ID: id,
      PARLEY_PORT: String(FLEET_PORTS.node),
      PARLEY_HEARTBEAT_MS: '1000',
      PARLEY_PRESENCE_TTL_MS: '3000',
    };
  }

  /** What every app gets: its store, Redis, Consul, secrets; it binds everywhere on its host and advertises its own address. */
  private commonEnv(host: NetnsHost): Record<string, string> {
    return {
      PARLEY_HOST: '0.0.0.0',
      PARLEY_ADVERTISE_HOST: host.address,
      PARLEY_DISCOVERY: 'consul',
      PARLEY_CONSUL_ADDR: `${this.hosts.consul.address}:${FLEET_PORTS.consul}`,
      PARLEY_STORE: 'mysql',
      PARLEY_MYSQL_URL: this.mysqlUrl,
      PARLEY_REDIS_URL: `redis://${this.hosts.redis.address}:${FLEET_PORTS.redis}`,
      PARLEY_JWT_SECRET: this.jwtSecret,
      PARLEY_CLUSTER_SECRET: this.clusterSecret,
      PARLEY_LOG_LEVEL: 'info',
    };
  }

  private async startApp(id: string, host: NetnsHost, entry: string, marker: string, env: Record<string, string>): Promise<ClusterProcess> {
    const proc = await spawnApp(id, entry, marker, env, { logDir: FLEET_LOG_DIR, spawn: this.spawnOn(host) });
    this.log(`${id} up on ${host.address}`);
    return proc;
  }

  private async startScript(id: string, host: NetnsHost, entry: string, marker: string, env: Record<string, string>): Promise<void> {
    this.services.push(await spawnApp(id, entry, marker, env, { logDir: FLEET_LOG_DIR, spawn: this.spawnOn(host) }));
  }

  private spawnOn(host: NetnsHost): SpawnProcess {
    return (command, args, options) => this.net.spawnIn(host, command, args, options);
  }

  /** The gateways' name answers every live gateway (nginx picks among them per request). */
  private async publishGatewayRecords(): Promise<void> {
    const addresses = [...this.gateways.values()].map((g) => g.host.address);
    if (addresses.length === 0) await this.deleteDns(GATEWAY_NAME);
    else await this.setDns(GATEWAY_NAME, addresses);
  }

  private async setDns(name: string, addresses: string[]): Promise<void> {
    await this.dnsControl('PUT', name, JSON.stringify({ addresses }));
  }

  private async deleteDns(name: string): Promise<void> {
    await this.dnsControl('DELETE', name);
  }

  private async dnsControl(method: 'PUT' | 'DELETE', name: string, body?: string): Promise<void> {
    const res = await fetch(`http://${this.hosts.dns.address}:${FLEET_PORTS.dnsControl}/names/${name}`, { method, body });
    if (res.status !== 204) throw new Error(`DNS ${method} ${name}: ${res.status} ${await res.text()}`);
  }

  /** The remote addresses of a node's established connections to a relay port. */
  private async relayPeers(node: FleetApp): Promise<Set<string>> {
    const out = await this.net.exec(node.host, 'ss', ['-Htn', 'state', 'established', 'dport', '=', `:${FLEET_PORTS.relay}`]);
    const peers = new Set<string>();
    for (const match of out.matchAll(/\s(\d+\.\d+\.\d+\.\d+):\d+\s*$/gm)) peers.add(match[1] ?? '');
    return peers;
  }

  /** A throwaway account's token, to read the gateways' node lists. */
  private async token(): Promise<string> {
    if (this.probeToken) return this.probeToken;
    const res = await fetch(`${this.entryUrl}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: `probe_${crypto.randomBytes(4).toString('hex')}`, password: TEST_PASSWORD }),
    });
    if (!res.ok) throw new Error(`probe registration through the entry failed: ${res.status} ${await res.text()}`);
    this.probeToken = ((await res.json()) as { token: string }).token;
    return this.probeToken;
  }

  private mustGet(map: Map<string, FleetApp>, id: string): FleetApp {
    const app = map.get(id);
    if (!app) throw new Error(`no live ${id} in the fleet`);
    return app;
  }
}
