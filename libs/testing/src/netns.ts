import { execFile, execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { must } from '@parley/util';
import { NETNS_FAMILY, isStaleName, netnsNames } from './netns-names';

const execFileAsync = promisify(execFile);

/** One simulated host: a network namespace with its own address on the run's bridge. */
export interface NetnsHost {
  /** What the test calls it (`db`, `gw-1`…). */
  label: string;
  /** The namespace's name (for `ip netns exec`). */
  ns: string;
  /** Its IPv4 address on the bridge, reachable from the driver and every other host. */
  address: string;
}

/**
 * A private network of hosts on this machine: a bridge in the root namespace
 * (the "driver" host where the test itself runs, at `driverAddress`) and one
 * namespace per host, each with a veth on the bridge, its own address and its
 * own loopback. No route leads anywhere else: hosts reach each other and the
 * driver, nothing outside.
 */
export interface NetnsNetwork {
  /** The /24 the hosts live in, e.g. `10.213.7.0/24`. */
  subnet: string;
  /** The bridge's address: the driver host (the test process). */
  driverAddress: string;
  /** Hosts made so far, in order. */
  readonly hosts: readonly NetnsHost[];
  /** Makes a new host with the next free address. */
  addHost(label: string): Promise<NetnsHost>;
  /**
   * `command args` inside the host's namespace (`ip netns exec`, which execs
   * the command: the child's pid is the command's own, so a signal reaches it).
   * Killed with SIGKILL by teardown() or when this process exits.
   */
  spawnIn(host: NetnsHost, command: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
  /** Runs a short command inside the host's namespace and resolves with its stdout (`ss`, `ip addr`…). */
  exec(host: NetnsHost, command: string, args: readonly string[]): Promise<string>;
  /** Kills what spawnIn started and removes every namespace, veth and the bridge; safe to call twice. */
  teardown(): Promise<void>;
}

let probed: { reason: string | undefined } | undefined;

/**
 * Why namespaces cannot be made here (not Linux, not root, no `ip`, or the
 * kernel refuses: a container without the rights), or undefined when they
 * can: tests that need them skip with this message. Tries once per process
 * to make and remove a namespace and a bridge.
 */
export function netnsUnavailableReason(): string | undefined {
  probed ??= { reason: probeNetns() };
  return probed.reason;
}

function probeNetns(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'network namespaces need root (run as root, as CI does)';
  if (!['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].some((p) => existsSync(p))) {
    return '`ip` not found (install the iproute2 package)';
  }
  // Names no network of this process uses (its hosts count from 1).
  const names = netnsNames(process.pid);
  const run = (...args: string[]): void => void execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    run('netns', 'add', names.namespace(0));
    run('netns', 'del', names.namespace(0));
    run('link', 'add', names.outerVeth(0), 'type', 'bridge');
    run('link', 'del', names.outerVeth(0));
    return undefined;
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    return `the kernel refused a network namespace or bridge: ${stderr || String(err)}`;
  }
}

/**
 * Makes the bridge of a new network. Namespaces, veths and bridges left by a
 * run whose process is gone (a crash, a SIGKILL) are removed first; the /24 is
 * picked in 10.200–254.x so that it overlaps no route or address this machine
 * already has.
 */
export async function createNetnsNetwork(): Promise<NetnsNetwork> {
  const reason = netnsUnavailableReason();
  if (reason) throw new Error(reason);
  await removeStaleRuns();
  const names = netnsNames(process.pid);
  const subnetBase = await pickFreeSubnet();
  const network = new Network(names, subnetBase);
  try {
    await network.makeBridge();
  } catch (err) {
    await network.teardown();
    throw err;
  }
  return network;
}

class Network implements NetnsNetwork {
  readonly hosts: NetnsHost[] = [];
  private readonly children = new Set<ChildProcess>();
  private tornDown = false;
  private readonly onExit = (): void => this.teardownSync();

  constructor(
    private readonly names: ReturnType<typeof netnsNames>,
    /** First three octets, e.g. `10.213.7`. */
    private readonly base: string,
  ) {
    process.once('exit', this.onExit);
  }

  get subnet(): string {
    return `${this.base}.0/24`;
  }

  get driverAddress(): string {
    return `${this.base}.1`;
  }

  async makeBridge(): Promise<void> {
    const bridge = this.names.bridge;
    await ip('link', 'add', bridge, 'type', 'bridge');
    await ip('addr', 'add', `${this.driverAddress}/24`, 'dev', bridge);
    await ip('link', 'set', bridge, 'up');
  }

  async addHost(label: string): Promise<NetnsHost> {
    if (this.tornDown) throw new Error('the network was torn down');
    const index = this.hosts.length + 1;
    if (index > 250) throw new Error('a /24 holds at most 250 hosts here');
    const host: NetnsHost = { label, ns: this.names.namespace(index), address: `${this.base}.${index + 1}` };
    const outer = this.names.outerVeth(index);
    // Registered before it exists: a failure half-way is still cleaned up.
    this.hosts.push(host);
    await ip('netns', 'add', host.ns);
    await ip('link', 'add', outer, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.ns);
    await ip('link', 'set', outer, 'master', this.names.bridge);
    await ip('link', 'set', outer, 'up');
    await ip('-n', host.ns, 'addr', 'add', `${host.address}/24`, 'dev', 'eth0');
    await ip('-n', host.ns, 'link', 'set', 'eth0', 'up');
    await ip('-n', host.ns, 'link', 'set', 'lo', 'up');
    return host;
  }

  spawnIn(host: NetnsHost, command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
    if (!this.hosts.includes(host)) throw new Error(`${host.label} is not a host of this network`);
    const child = spawn('ip', ['netns', 'exec', host.ns, command, ...args], options);
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  async exec(host: NetnsHost, command: string, args: readonly string[]): Promise<string> {
    if (!this.hosts.includes(host)) throw new Error(`${host.label} is not a host of this network`);
    return ip('netns', 'exec', host.ns, command, ...args);
  }

  async teardown(): Promise<void> {
    if (this.tornDown) return;
    this.tornDown = true;
    process.removeListener('exit', this.onExit);
    const exits = [...this.children].map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }));
    await Promise.all(exits);
    // A namespace's veth end goes with it, and takes its bridge-side peer along.
    for (const host of this.hosts) await deleteNamespace(host.ns);
    await ip('link', 'del', this.names.bridge).catch(() => undefined);
  }

  /** The exit hook's teardown: no promises run once the process is exiting. */
  private teardownSync(): void {
    if (this.tornDown) return;
    this.tornDown = true;
    for (const child of this.children) child.kill('SIGKILL');
    const quiet = { stdio: ['ignore', 'pipe', 'ignore'] as ('ignore' | 'pipe')[] };
    for (const host of this.hosts) {
      try {
        killPids(execFileSync('ip', ['netns', 'pids', host.ns], quiet).toString());
        execFileSync('ip', ['netns', 'del', host.ns], quiet);
      } catch {
        // already gone
      }
    }
    try {
      execFileSync('ip', ['link', 'del', this.names.bridge], quiet);
    } catch {
      // already gone
    }
  }
}

async function ip(...args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('ip', args);
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message?: string };
    throw new Error(`ip ${args.join(' ')} failed: ${(e.stderr ?? e.message ?? '').trim()}`, { cause: err });
  }
}

/** Removes the namespaces and links of earlier runs whose process no longer exists. */
async function removeStaleRuns(): Promise<void> {
  const namespaces = (await ip('netns', 'list'))
    .split('\n')
    .map((line) => must(line.split(' ')[0], 'netns name'))
    .filter((name) => name.startsWith(NETNS_FAMILY));
  const links = (await ip('-o', 'link', 'show'))
    .split('\n')
    .map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined && name.startsWith(NETNS_FAMILY));
  const stale = isStaleName(isAlive);
  for (const name of namespaces) if (stale(name)) await deleteNamespace(name);
  // Bridges and the veths left over (a veth whose namespace is gone vanishes with it).
  for (const name of links) if (stale(name)) await ip('link', 'del', name).catch(() => undefined);
}

/**
 * Kills whatever still runs in the namespace, then removes it. Removing alone
 * would leave its processes running, unnamed: a driver killed with SIGKILL
 * leaves its apps behind, and nginx's workers outlive a killed master.
 */
async function deleteNamespace(ns: string): Promise<void> {
  killPids(await ip('netns', 'pids', ns).catch(() => ''));
  await ip('netns', 'del', ns).catch(() => undefined);
}

function killPids(list: string): void {
  for (const pid of list.split('\n').map(Number).filter((n) => Number.isInteger(n) && n > 0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A random 10.x.y.0/24 (x in 200–254) that no route or address of this machine covers or overlaps. */
async function pickFreeSubnet(): Promise<string> {
  const taken = [
    ...parseCidrs(await ip('-4', '-o', 'addr', 'show')),
    ...parseCidrs(await ip('-4', 'route', 'show', 'table', 'all')),
  ];
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = `10.${randomInt(200, 255)}.${randomInt(0, 256)}`;
    const ours: Cidr = { network: toInt(`${base}.0`), bits: 24 };
    if (!taken.some((other) => overlaps(ours, other))) return base;
  }
  throw new Error('no free 10.x.y.0/24 found for the test network');
}

interface Cidr {
  network: number;
  bits: number;
}

function parseCidrs(text: string): Cidr[] {
  const found: Cidr[] = [];
  for (const match of text.matchAll(/(?:^|\s)(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?/gm)) {
    const address = must(match[1], 'address');
    found.push({ network: toInt(address), bits: match[2] === undefined ? 32 : Number(match[2]) });
  }
  return found;
}

function toInt(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function overlaps(a: Cidr, b: Cidr): boolean {
  const bits = Math.min(a.bits, b.bits);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((a.network & mask) >>> 0) === ((b.network & mask) >>> 0);
}
