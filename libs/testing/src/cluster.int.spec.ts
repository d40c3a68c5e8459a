import fs from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { at } from './at';
import { startCluster, type Cluster } from './cluster';

jest.setTimeout(90_000);

const healthy = async (url: string): Promise<boolean> => {
  const res = await fetch(`${url}/healthz`).catch(() => undefined);
  return res?.status === 200;
};

describe('startCluster fault controls', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 1, gateways: 2, ownServices: true, name: 'cluster-harness' });
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('starts several gateways that all see the node', async () => {
    expect(cluster.gateways.map((g) => g.gatewayId)).toEqual(['gw-1', 'gw-2']);
    expect(cluster.gatewayUrls).toEqual(cluster.gateways.map((g) => g.url));
    expect(cluster.gateway).toBe(cluster.gateways[0]);
    await cluster.waitForHealthyNodes(['im-1'], 15_000, 1);
  });

  it('kills a node with SIGKILL and restarts it with the same id and port', async () => {
    const before = at(cluster.nodes, 0, 'IM node');
    expect(await cluster.killNode(0)).toBeNull(); // killed by a signal: no exit code
    expect(before.child.signalCode).toBe('SIGKILL');
    expect(await healthy(before.url)).toBe(false);

    const after = await cluster.restartNode(0);
    expect(cluster.nodes[0]).toBe(after);
    expect({ nodeId: after.nodeId, url: after.url }).toEqual({ nodeId: before.nodeId, url: before.url });
    expect(after.child.pid).not.toBe(before.child.pid);
    await cluster.waitForHealthyNodes(['im-1']);
  });

  it('restarts a gateway on the same ports', async () => {
    const before = at(cluster.gateways, 1, 'gateway');
    const after = await cluster.restartGateway(1);
    expect(before.child.exitCode).toBe(0); // SIGTERM: a clean stop
    expect({ url: after.url, relayAddress: after.relayAddress }).toEqual({ url: before.url, relayAddress: before.relayAddress });
    expect(await healthy(after.url)).toBe(true);
    await cluster.waitForHealthyNodes(['im-1'], 15_000, 1);
  });

  it('restarts the owned Redis empty on the same URL', async () => {
    const url = cluster.redisUrl;
    const client = new Redis(url, { maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    try {
      await client.set('fault-marker', '1');
      await cluster.restartRedis();
      expect(cluster.redis?.url).toBe(url);
      expect(await client.get('fault-marker')).toBeNull();
    } finally {
      client.disconnect();
    }
  });

  it('drains a node on SIGTERM, logs when the drain starts and ends with session counts, and reports a clean exit', async () => {
    expect(await cluster.drainNode(0)).toBe(0);
    expect(cluster.mariadb?.running).toBe(true);
    // The node's log reaches its file through a pipe: wait for the last line rather than read once.
    const logFile = path.resolve(__dirname, '../../../tmp/cluster-logs/cluster-harness-im-1.log');
    type Line = { msg?: string; level?: number; sessions?: number; moved?: number; cutOff?: number };
    const lines = (): Line[] =>
      fs
        .readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{') && l.endsWith('}'))
        .map((l) => JSON.parse(l) as Line);
    for (const deadline = Date.now() + 10_000; !lines().some((l) => l.msg === 'drain finished') && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(lines().find((l) => l.msg?.startsWith('drain started'))).toMatchObject({ level: 30, sessions: 0 });
    expect(lines().find((l) => l.msg === 'drain finished')).toMatchObject({ level: 30, sessions: 0, moved: 0, cutOff: 0 });
  });
});
