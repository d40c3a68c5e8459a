import fs from 'node:fs';
import path from 'node:path';
import { at, startCluster, type Cluster, type ClusterGateway } from '@parley/testing';
import { TestUser, befriend } from './support/test-user';

jest.setTimeout(120_000);

const LOG_DIR = path.resolve(__dirname, '../../tmp/cluster-logs');
const NAME = `gw-discovery-${process.pid}`;

/** Polls until `check` holds (a condition, not a timer); fails naming what it waited for. */
async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The relay addresses Consul lists as passing for the gateways' service. */
async function passingGateways(cluster: Cluster): Promise<string[]> {
  const res = await fetch(`${cluster.consul.url}/v1/health/service/parley-gateway?passing=true`);
  const entries = (await res.json()) as { Service: { ID: string; Address: string; Meta?: Record<string, string> } }[];
  return entries.map((entry) => entry.Service.Meta?.relay ?? '?').sort();
}

/** The last gateway list a node logged ('relay gateways changed'), from its log file. */
function lastGatewayList(nodeId: string): string[] | undefined {
  const file = path.join(LOG_DIR, `${NAME}-${nodeId}.log`);
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : [];
  for (const line of lines.reverse()) {
    if (!line.includes('relay gateways changed')) continue;
    return ((JSON.parse(line) as { gateways: string[] }).gateways ?? []).slice().sort();
  }
  return undefined;
}

const nodeFollows = (cluster: Cluster, gateways: readonly ClusterGateway[]) => () =>
  cluster.nodes.every((node) => JSON.stringify(lastGatewayList(node.nodeId)) === JSON.stringify(gateways.map((g) => g.relayAddress).sort()));

describe('IM nodes find gateways in Consul (no PARLEY_GATEWAYS)', () => {
  let cluster: Cluster;
  const users: TestUser[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, gateways: 1, gatewayDiscovery: 'consul', name: NAME });
  }, 120_000);

  afterEach(() => {
    for (const u of users.splice(0)) u.disconnect();
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  /** Two friends on different nodes, signed in through `gatewayUrl`: a message between them crosses the relay. */
  async function crossNodeMessage(gatewayUrl: string, text: string): Promise<void> {
    const alice = await TestUser.register(gatewayUrl, 'gwd_a');
    const bob = await TestUser.register(gatewayUrl, 'gwd_b');
    users.push(alice, bob);
    await alice.connect(at(cluster.nodes, 0, 'IM node').url);
    await bob.connect(at(cluster.nodes, 1, 'IM node').url);
    await befriend(alice, bob);
    const sent = await alice.sendText({ type: 'user', id: bob.id }, text);
    // Pushed live to the other node: some relay stream carried it.
    expect(await bob.waitForMessage((m) => m.id === sent.id)).toEqual(sent);
  }

  it('registers each gateway in Consul on its advertised relay address, checked on /readyz', async () => {
    await waitFor('gw-1 passing in Consul', async () => (await passingGateways(cluster)).includes(cluster.gateway.relayAddress));
    const res = await fetch(`${cluster.consul.url}/v1/agent/services`);
    const services = (await res.json()) as Record<string, { Service: string; Address: string; Port: number }>;
    expect(services['gw-1']).toMatchObject({ Service: 'parley-gateway', Address: '127.0.0.1', Port: cluster.gateway.relayPort });
    await crossNodeMessage(cluster.gatewayUrl, 'through gw-1');
  });

  it('picks up a gateway started later without a node restart, and drops one that stops', async () => {
    const first = at(cluster.gateways, 0, 'gateway 1');
    const second = await cluster.addGateway();
    await waitFor('gw-2 passing in Consul', async () => (await passingGateways(cluster)).includes(second.relayAddress));
    await waitFor('every node following gw-1 and gw-2', nodeFollows(cluster, [first, second]));

    // gw-1 leaves Consul first, then stops: the nodes drop it and keep relaying through gw-2 alone.
    await cluster.stopGateway(0);
    await waitFor('gw-1 gone from Consul', async () => !(await passingGateways(cluster)).includes(first.relayAddress));
    await waitFor('every node following gw-2 only', nodeFollows(cluster, [second]));
    await waitFor('both nodes ready on gw-2 alone', async () => {
      const answers = await Promise.all(cluster.nodes.map((node) => fetch(`${node.url}/readyz`).then((r) => r.status, () => 0)));
      return answers.every((status) => status === 200);
    });
    await crossNodeMessage(second.url, 'through gw-2 only');
  });

  it('answers /readyz 503 (draining) while a node drains, while /livez stays 200', async () => {
    const node = at(cluster.nodes, 0, 'IM node');
    const carol = await TestUser.register(at(cluster.gateways, 1, 'gateway 2').url, 'gwd_c');
    users.push(carol);
    // A connected session keeps the drain going until it leaves.
    await carol.connect(node.url);
    expect((await fetch(`${node.url}/readyz`)).status).toBe(200);
    const drained = cluster.drainNode(0);
    let body: unknown;
    await waitFor('/readyz 503 while draining', async () => {
      const res = await fetch(`${node.url}/readyz`).catch(() => undefined);
      if (res?.status !== 503) return false;
      body = await res.json();
      return true;
    });
    expect(body).toMatchObject({ code: 'UNAVAILABLE', detail: 'not ready: draining', nodeId: node.nodeId });
    expect((await fetch(`${node.url}/livez`)).status).toBe(200);
    carol.disconnect();
    expect(await drained).toBe(0);
  });
});
