import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { createNetnsNetwork, netnsUnavailableReason, type NetnsNetwork } from './netns';
import { netnsNames } from './netns-names';

const reason = netnsUnavailableReason();
const maybe = reason ? describe.skip : describe;
if (reason) process.stderr.write(`netns harness tests skipped: ${reason}\n`);

/** A one-line HTTP server on the host's address that answers with the name of its namespace's first address. */
const SERVER = `require('node:http').createServer((q, s) => s.end(process.argv[1])).listen(8000, process.argv[1], () => console.log('LISTENING'))`;

maybe('test network of namespaces', () => {
  let network: NetnsNetwork | undefined;
  afterEach(async () => network?.teardown());

  it('gives each host its own address, reachable from the driver and the other hosts, and removes everything on teardown', async () => {
    const net = (network = await createNetnsNetwork());
    const [a, b] = [await net.addHost('a'), await net.addHost('b')];
    expect(new Set([net.driverAddress, a.address, b.address]).size).toBe(3);

    const server = net.spawnIn(a, process.execPath, ['-e', SERVER, a.address], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => server.stdout?.on('data', (d: Buffer) => d.toString().includes('LISTENING') && resolve()));
    // From the driver (the root namespace) over the bridge.
    expect(await (await fetch(`http://${a.address}:8000/`)).text()).toBe(a.address);
    // From another host: b's own namespace, through its veth.
    const fromB = execFileSync('ip', ['netns', 'exec', b.ns, process.execPath, '-e', `fetch('http://${a.address}:8000/').then(r => r.text()).then(t => process.stdout.write(t))`]);
    expect(fromB.toString()).toBe(a.address);
    // b's loopback is its own: nothing listens on it.
    expect(() => execFileSync('ip', ['netns', 'exec', b.ns, process.execPath, '-e', `require('node:net').connect(8000, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(3))`])).toThrow();

    await net.teardown();
    expect(server.exitCode !== null || server.signalCode !== null).toBe(true);
    const namespaces = execFileSync('ip', ['netns', 'list']).toString();
    const links = execFileSync('ip', ['-o', 'link', 'show']).toString();
    for (const host of net.hosts) expect(namespaces).not.toContain(host.ns);
    expect(links).not.toContain(`${netnsNames(process.pid).bridge}:`);
    expect(links).not.toContain(netnsNames(process.pid).outerVeth(1));
    expect(execFileSync('ip', ['-4', '-o', 'addr', 'show']).toString()).not.toContain(`${net.driverAddress}/24`);
  });
});

maybe('test network left by a crashed run', () => {
  it('is removed by the next run, with the processes still running in it', async () => {
    // A driver that makes a host, starts a process in it, and is then killed with SIGKILL (no exit hook runs).
    const script = `require('./libs/testing/src/netns').createNetnsNetwork().then(async (n) => {
      const h = await n.addHost('x');
      const c = n.spawnIn(h, 'sleep', ['600'], { stdio: 'ignore' });
      console.log('UP ' + h.ns + ' ' + c.pid);
    });`;
    const crashed = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: path.resolve(__dirname, '../../..'), stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => crashed.stdout?.on('data', (d: Buffer) => d.toString().startsWith('UP') && resolve(d.toString())));
    const [, ns = '', pid = ''] = line.trim().split(' ');
    crashed.kill('SIGKILL');
    await new Promise((resolve) => crashed.once('exit', resolve));
    expect(execFileSync('ip', ['netns', 'list']).toString()).toContain(ns);
    expect(isRunning(Number(pid))).toBe(true);

    const next = await createNetnsNetwork();
    await next.teardown();
    expect(execFileSync('ip', ['netns', 'list']).toString()).not.toContain(ns);
    // SIGKILLed by the clean-up; gone once the kernel has reaped it (its parent, `ip`, is gone: init reaps).
    const deadline = Date.now() + 5_000;
    while (isRunning(Number(pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(isRunning(Number(pid))).toBe(false);
  });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
