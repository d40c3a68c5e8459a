import { execFileSync } from 'node:child_process';
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
