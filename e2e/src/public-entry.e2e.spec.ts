import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { io } from 'socket.io-client';
import { ParleyClient } from '@parley/client';
import type { AssignResult, Message } from '@parley/protocol';
import { TEST_PASSWORD, at, startCluster, type Cluster } from '@parley/testing';
import { startEntryProxy, type EntryProxy } from './support/entry-proxy';
import { uniqueName } from './support/test-user';

jest.setTimeout(90_000);

const NAME = 'public-entry-e2e';
const GATEWAY_LOG = path.resolve(__dirname, '../../tmp/cluster-logs', `${NAME}-gw-1.log`);

/**
 * Clients reach every node through one public entry (PARLEY_PUBLIC_ENTRY):
 * a path-routing reverse proxy (nginx's job in a deployment) is the only
 * address they are given, for the API and for each node's socket.
 */
describe('the one public entry: assignments through it, clients follow them', () => {
  let cluster: Cluster | undefined;
  let entry: EntryProxy;
  const clients: ParleyClient[] = [];

  beforeAll(async () => {
    // The entry first: the gateway must be told its address. It looks the cluster up on each request.
    entry = await startEntryProxy({
      nodeUrl: (nodeId) => cluster?.nodes.find((n) => n.nodeId === nodeId && n.child.exitCode === null)?.url,
      gatewayUrl: () => cluster?.gatewayUrl,
    });
    cluster = await startCluster({ nodes: 2, name: NAME, gatewayEnv: { PARLEY_PUBLIC_ENTRY: entry.url } });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await cluster?.stop();
    await entry?.stop();
  });

  const started = (): Cluster => {
    if (!cluster) throw new Error('cluster not started');
    return cluster;
  };

  async function client(): Promise<{ c: ParleyClient; released: Message[] }> {
    const c = new ParleyClient({ gatewayUrl: entry.url, io });
    clients.push(c);
    await c.register(uniqueName('entry'), TEST_PASSWORD);
    const released: Message[] = [];
    c.on('message', (m) => released.push(m));
    await c.connect();
    return { c, released };
  }

  it('assigns the entry and a per-node path, and lists nodes the same way, never their own URLs', async () => {
    const { c } = await client();
    const assigned = await c.rest<AssignResult>('GET', '/api/nodes/assign');
    expect(assigned).toEqual({ nodeId: assigned.nodeId, url: entry.url, path: `/n/${assigned.nodeId}/socket.io` });
    const { nodes } = await c.rest<{ nodes: AssignResult[] }>('GET', '/api/nodes');
    expect(nodes.sort((a, b) => a.nodeId.localeCompare(b.nodeId))).toEqual(
      ['im-1', 'im-2'].map((nodeId) => ({ nodeId, url: entry.url, path: `/n/${nodeId}/socket.io` })),
    );
    for (const node of started().nodes) expect(JSON.stringify(nodes)).not.toContain(node.url);
  });

  it('two users on different nodes chat through the entry; a drained node sends its client to a new assignment through the entry', async () => {
    const a = await client();
    // Round-robin: the next few sign-ins land on the other node (other assignments may interleave).
    let b = await client();
    for (let i = 0; i < 3 && b.c.nodeId === a.c.nodeId; i++) b = await client();
    expect(new Set([a.c.nodeId, b.c.nodeId])).toEqual(new Set(['im-1', 'im-2']));
    // Every socket went through the entry, on its node's path.
    for (const id of ['im-1', 'im-2']) expect(entry.upgrades.get(id) ?? 0).toBeGreaterThan(0);

    const { request } = await a.c.command('friend:request', { userId: b.c.user!.id });
    await b.c.command('friend:respond', { requestId: request.id, accept: true });
    const hello = await a.c.send({ type: 'user', id: b.c.user!.id }, 'hello through the entry');
    await waitFor(() => b.released.some((m) => m.id === hello.id));

    // Drain b's node: b is told to leave and asks the gateway again, which names the other node through the entry.
    const bNode = b.c.nodeId;
    const aNode = a.c.nodeId;
    const upgradesBefore = entry.upgrades.get(aNode!) ?? 0;
    const moved = new Promise<{ nodeId: string }>((resolve) => b.c.on('reconnected', resolve));
    const drained = started().drainNode(started().nodes.findIndex((n) => n.nodeId === bNode));
    expect((await moved).nodeId).toBe(aNode);
    expect(entry.upgrades.get(aNode!) ?? 0).toBeGreaterThan(upgradesBefore);
    await drained;

    const after = await a.c.send({ type: 'user', id: b.c.user!.id }, 'after the drain');
    await waitFor(() => b.released.some((m) => m.id === after.id));
    const back = await b.c.send({ type: 'user', id: a.c.user!.id }, 'still here');
    await waitFor(() => a.released.some((m) => m.id === back.id));
  });

  it('an unknown or malformed node id fails cleanly at the entry and reaches no node', async () => {
    const { c } = await client();
    const token = c.session!.token;
    // Raw paths: fetch() would resolve the dot segments itself before sending.
    for (const nodeId of ['no-such-node', '..', '.', 'im-1%2F..', 'im-1%2e']) {
      expect(await rawStatus(`${entry.url}/n/${nodeId}/socket.io/?EIO=4&transport=polling`)).toBe(404);
    }
    const refusedBefore = entry.refused.length;
    const socket = io(entry.url, { path: '/n/no-such-node/socket.io', auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    const outcome = await new Promise<string>((resolve) => {
      socket.once('connect', () => resolve('connected'));
      socket.once('connect_error', (err) => resolve(`refused: ${err.message}`));
    });
    socket.disconnect();
    expect(outcome).toMatch(/^refused/);
    expect(entry.refused.slice(refusedBefore)).toEqual([expect.stringMatching(/^\/n\/no-such-node\/socket\.io\//)]);
  });

  it("a client naming another live node's path is let in: the entry routes by path, the token is what authorizes", async () => {
    const { c } = await client();
    const live = at(
      started().nodes.filter((n) => n.child.exitCode === null),
      0,
      'live node',
    );
    const socket = io(entry.url, { path: `/n/${live.nodeId}/socket.io`, auth: { token: c.session!.token }, transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    socket.disconnect();
    const stranger = io(entry.url, { path: `/n/${live.nodeId}/socket.io`, auth: { token: 'not-a-token' }, transports: ['websocket'], reconnection: false, forceNew: true });
    const refused = await new Promise<string>((resolve) => {
      stranger.once('connect', () => resolve('connected'));
      stranger.once('connect_error', (err) => resolve(err.message));
    });
    stranger.disconnect();
    expect(refused).toBe('UNAUTHORIZED');
  });

  it('never assigns or lists a registration whose id cannot stand in a path, and warns about each once', async () => {
    const c = started();
    const live = at(
      c.nodes.filter((n) => n.child.exitCode === null),
      0,
      'live node',
    );
    // Registered straight in Consul, as anyone with write access could, with a check that passes.
    const register = async (id: string, nodeId: string): Promise<void> => {
      const res = await fetch(`${c.consul.url}/v1/agent/service/register`, {
        method: 'PUT',
        body: JSON.stringify({
          Name: 'parley-im',
          ID: id,
          Address: '127.0.0.1',
          Port: live.port,
          Meta: { url: live.url, nodeId },
          Check: { HTTP: `${live.url}/livez`, Interval: '1s' },
        }),
      });
      expect(res.status).toBe(200);
    };
    await register('rogue-dots', '..');
    await register('rogue-slash', 'a/b');
    // Registered last: once the gateway lists it, it has seen the others too.
    await register('im-extra', 'im-extra');
    await c.waitForHealthyNodes([live.nodeId, 'im-extra']);

    const { c: user } = await client();
    const assigned = new Set<string>();
    for (let i = 0; i < 8; i++) assigned.add((await user.rest<AssignResult>('GET', '/api/nodes/assign')).path);
    expect([...assigned].sort()).toEqual([`/n/${live.nodeId}/socket.io`, '/n/im-extra/socket.io'].sort());
    const { nodes } = await user.rest<{ nodes: AssignResult[] }>('GET', '/api/nodes');
    expect(nodes.map((n) => n.nodeId).sort()).toEqual([live.nodeId, 'im-extra'].sort());

    const warned = await until(() => {
      const lines = fs
        .readFileSync(GATEWAY_LOG, 'utf8')
        .split('\n')
        .filter((l) => l.includes('cannot be routed through the public entry'));
      return lines.length >= 2 ? lines : undefined;
    });
    expect(warned.map((l) => (JSON.parse(l) as { nodeId: string; level: number }).nodeId).sort()).toEqual(['..', 'a/b']);
  });
});

async function until<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** GET exactly this path (no dot-segment resolution, unlike fetch); resolves with the status. */
function rawStatus(url: string): Promise<number | undefined> {
  const { host, port } = new URL(url);
  const path = url.slice(url.indexOf('/', 'http://'.length));
  return new Promise((resolve, reject) => {
    http
      .get({ host: host.split(':')[0], port, path }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
      .on('error', reject);
  });
}

async function waitFor(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
