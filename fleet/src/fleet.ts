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
import { APP_PORTS, gatewayEnv, nodeEnv, type FleetServices } from './app-env';
import { startEntry, type Entry } from './entry';
import { FleetProbes } from './fleet-probes';

/** The services' ports (every host has its own address, so each kind keeps its well-known port). */
const SERVICE_PORTS = { consul: 8500, redis: 6379, dnsControl: 8053 } as const;

const REPO_ROOT = path.resolve(__dirname, '../..');
export const FLEET_LOG_DIR = path.join(REPO_ROOT, 'tmp', 'fleet-logs');
/** The fleet's node ids (im-1, im-2…), as the entry matches them (ENTRY_NODE_PATTERN). */
const NODE_ID_PATTERN = 'im-[0-9]{1,4}';
/** The name nginx resolves for the gateways (ENTRY_GATEWAY): one A record per live gateway. */
const GATEWAY_NAME = 'gateway';

export interface FleetApp {
  id: string;
  kind: 'gateway' | 'node';
  host: NetnsHost;
  process: ClusterProcess;
}

interface ServiceHosts {
  db: NetnsHost;
  redis: NetnsHost;
  consul: NetnsHost;
  dns: NetnsHost;
  entry: NetnsHost;
}

/**
 * A fleet on separate hosts: every process in a network namespace of its own
 * with its own address on one bridge (the test process is the "driver" host on
 * the bridge's address, where the simulated users run). MariaDB, Redis, the
 * Consul simulator, a DNS server and nginx (the one public entry) start with
 * the fleet; gateways and IM nodes are added, killed and drained by the
 * scenario, each from its entry point with the environment of app-env.ts.
 */
export class Fleet {
  readonly gateways = new Map<string, FleetApp>();
  readonly nodes = new Map<string, FleetApp>();
  /** What the scenario waits on. */
  readonly probes: FleetProbes;
  private readonly scripts: ClusterProcess[] = [];
  private mariadb: MariadbService | undefined;
  private redis: RedisService | undefined;
  private entry: Entry | undefined;
  private services: FleetServices | undefined;
  private probeToken: string | undefined;

  private constructor(
    private readonly net: NetnsNetwork,
    private readonly hosts: ServiceHosts,
    private readonly log: (line: string) => void,
  ) {
    this.probes = new FleetProbes({
      net,
      consulUrl: `http://${hosts.consul.address}:${SERVICE_PORTS.consul}`,
      gateways: () => [...this.gateways.values()],
      nodes: () => [...this.nodes.values()],
      token: () => this.token(),
    });
  }

  /** Makes the network and starts the fleet's services (no gateway or node yet). Everything is undone if a step fails. */
  static async start(options: { log: (line: string) => void }): Promise<Fleet> {
    // Every server and app started registers an exit hook that kills it if this process dies first: a dozen or more.
    process.setMaxListeners(Math.max(process.getMaxListeners(), 50));
    fs.rmSync(FLEET_LOG_DIR, { recursive: true, force: true });
    fs.mkdirSync(FLEET_LOG_DIR, { recursive: true });
    const net = await createNetnsNetwork();
    let fleet: Fleet | undefined;
    try {
      const hosts: ServiceHosts = {
        db: await net.addHost('db'),
        redis: await net.addHost('redis'),
        consul: await net.addHost('consul'),
        dns: await net.addHost('dns'),
        entry: await net.addHost('entry'),
      };
      fleet = new Fleet(net, hosts, options.log);
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

  private async startServices(): Promise<void> {
    const { db, redis, consul, dns, entry } = this.hosts;
    const [mariadb, redisServer] = await Promise.all([
      startMariadb({ host: db.address, spawn: this.spawnOn(db) }),
      startRedisOnPort(SERVICE_PORTS.redis, { host: redis.address, spawn: this.spawnOn(redis, 'redis') }),
      this.startScript('consul', consul, 'fleet/src/hosts/consul-host.ts', 'CONSUL_HOST_READY', {
        FLEET_CONSUL_HOST: consul.address,
        FLEET_CONSUL_PORT: String(SERVICE_PORTS.consul),
      }),
      this.startScript('dns', dns, 'fleet/src/hosts/dns-host.ts', 'DNS_HOST_READY', {
        FLEET_DNS_HOST: dns.address,
        FLEET_DNS_CONTROL_PORT: String(SERVICE_PORTS.dnsControl),
      }),
    ]);
    this.mariadb = mariadb;
    this.redis = redisServer;
    this.services = {
      consulAddress: consul.address,
      consulPort: SERVICE_PORTS.consul,
      redisUrl: redisServer.url,
      mysqlUrl: (await createTestDatabase(mariadb.url)).url,
      entryUrl: this.entryUrl,
      entryAddress: entry.address,
      jwtSecret: crypto.randomBytes(32).toString('hex'),
      clusterSecret: crypto.randomBytes(32).toString('base64url'),
    };
    this.log(`services up: mariadb ${db.address}, redis ${redis.address}, consul ${consul.address}, dns ${dns.address}`);
    this.entry = await startEntry({
      net: this.net,
      host: entry,
      resolver: dns.address,
      gateway: `${GATEWAY_NAME}:${APP_PORTS.gatewayHttp}`,
      nodePort: APP_PORTS.node,
      nodePattern: NODE_ID_PATTERN,
      logDir: FLEET_LOG_DIR,
    });
    this.log(`public entry (nginx) at ${this.entryUrl}`);
  }

  /** Starts gateways, each on a new host; the gateways' DNS name then answers every live one. */
  async addGateways(ids: readonly string[]): Promise<FleetApp[]> {
    const started = await Promise.all(
      ids.map(async (id) => {
        const host = await this.net.addHost(id);
        const app = await this.startApp('gateway', id, host, gatewayEnv(id, host.address, this.mustServices()));
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
        const app = await this.startApp('node', id, host, nodeEnv(id, host.address, this.mustServices()));
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

  /** Bytes the gateway's relay has received from the nodes so far. */
  relayBytesIn(id: string): Promise<number> {
    return this.probes.relayBytesIn(this.mustGet(this.gateways, id));
  }

  async stop(): Promise<void> {
    const apps = [...this.gateways.values(), ...this.nodes.values()].map((a) => a.process);
    await Promise.all([...apps, ...this.scripts].map((p) => terminate(p, 5_000)));
    await this.entry?.stop();
    await this.redis?.stop();
    await this.mariadb?.stop();
    await this.net.teardown();
  }

  private async startApp(kind: FleetApp['kind'], id: string, host: NetnsHost, env: Record<string, string>): Promise<FleetApp> {
    const [entry, marker] =
      kind === 'gateway' ? ['apps/gateway/src/main.ts', 'PARLEY_GATEWAY_READY'] : ['apps/im-service/src/main.ts', 'PARLEY_NODE_READY'];
    const proc = await spawnApp(id, entry, marker, env, { logDir: FLEET_LOG_DIR, spawn: this.spawnOn(host) });
    this.log(`${id} up on ${host.address}`);
    return { id, kind, host, process: proc };
  }

  private async startScript(id: string, host: NetnsHost, entry: string, marker: string, env: Record<string, string>): Promise<void> {
    this.scripts.push(await spawnApp(id, entry, marker, env, { logDir: FLEET_LOG_DIR, spawn: this.spawnOn(host) }));
  }

  /** Starts a process on the host; `logName` also copies what it prints to tmp/fleet-logs/<logName>.log. */
  private spawnOn(host: NetnsHost, logName?: string): SpawnProcess {
    return (command, args, options) => {
      const child = this.net.spawnIn(host, command, args, options);
      if (logName) {
        const log = fs.createWriteStream(path.join(FLEET_LOG_DIR, `${logName}.log`), { flags: 'a' });
        child.stdout?.pipe(log, { end: false });
        child.stderr?.pipe(log, { end: false });
        child.once('exit', () => log.end());
      }
      return child;
    };
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
    const res = await fetch(`http://${this.hosts.dns.address}:${SERVICE_PORTS.dnsControl}/names/${name}`, { method, body });
    if (res.status !== 204) throw new Error(`DNS ${method} ${name}: ${res.status} ${await res.text()}`);
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

  private mustServices(): FleetServices {
    if (!this.services) throw new Error('the fleet services are not up yet');
    return this.services;
  }

  private mustGet(map: Map<string, FleetApp>, id: string): FleetApp {
    const app = map.get(id);
    if (!app) throw new Error(`no live ${id} in the fleet`);
    return app;
  }
}
