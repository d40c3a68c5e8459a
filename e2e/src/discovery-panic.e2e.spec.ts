import fs from 'node:fs';
import path from 'node:path';
import { at, startCluster, startRedis, waitFor, type Cluster, type RedisService } from '@parley/testing';
import { TestUser, befriend } from './support/test-user';

jest.setTimeout(120_000);

const LOG_DIR = path.resolve(__dirname, '../../tmp/cluster-logs');
const NAME = `discovery-panic-${process.pid}`;

/** Lines of one process's log that contain `text`, parsed. */
function logLines(processId: string, text: string): Array<Record<string, unknown>> {
  const file = path.join(LOG_DIR, `${NAME}-${processId}.log`);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.includes(text))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** How often a node changed the gateways it keeps relay streams to (logged on each change, not at start). */
const gatewayListChanges = (nodeId: string): number => logLines(nodeId, 'relay gateways changed').length;

const checkStatuses = (cluster: Cluster, service: string): string[] =>
  cluster.consul
    .services()
    .filter((s) => s.name === service)
    .map((s) => s.checks[0]?.status ?? 'none');

/**
 * The database and Redis are shared by every process, so their outage fails
 * every /readyz at once. Discovery goes into panic mode instead of listing
 * nothing: the nodes keep their relay streams and chat goes on.
 */
describe('discovery panic mode: the shared Redis pauses', () => {
  let redis: RedisService;
  let cluster: Cluster;
  const users: TestUser[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    cluster = await startCluster({ nodes: 2, gateways: 1, gatewayDiscovery: 'consul', redisUrl: redis.url, name: NAME });
  }, 120_000);

  afterAll(async () => {
    for (const u of users) u.disconnect();
    redis?.resume();
    await cluster?.stop();
    await redis?.stop();
  });

  it('keeps every node and gateway listed, the relay streams up and cross-node messages flowing, while /readyz says 503 redis', async () => {
    const [n1, n2] = [at(cluster.nodes, 0, 'IM node 1'), at(cluster.nodes, 1, 'IM node 2')];
    const gw = cluster.gateway;
    await waitFor('every check passing', () =>
      [...checkStatuses(cluster, 'parley-im'), ...checkStatuses(cluster, 'parley-gateway')].every((s) => s === 'passing') ? true : undefined,
    );
    const alice = await TestUser.register(cluster.gatewayUrl, 'panic_a');
    const bob = await TestUser.register(cluster.gatewayUrl, 'panic_b');
    users.push(alice, bob);
    await alice.connect(n1.url);
    await bob.connect(n2.url);
    await befriend(alice, bob);
    const before = await alice.sendText({ type: 'user', id: bob.id }, 'before the outage');
    expect(await bob.waitForMessage((m) => m.id === before.id)).toEqual(before);

    // A cold start may already have panicked for a moment (a node registers critical until its first check): count from here.
    const panics = (id: string) => logLines(id, 'panic mode:').length;
    const overs = (id: string) => logLines(id, 'panic mode over').length;
    const ids = [n1.nodeId, n2.nodeId, gw.gatewayId];
    const panicsBefore = new Map(ids.map((id) => [id, panics(id)]));
    const oversBefore = new Map(ids.map((id) => [id, overs(id)]));
    const changesBefore = [n1, n2].map((n) => gatewayListChanges(n.nodeId));
    redis.pause();
    try {
      // Every process's check turns critical: Consul's passing list is empty.
      await waitFor('every check critical', () =>
        [...checkStatuses(cluster, 'parley-im'), ...checkStatuses(cluster, 'parley-gateway')].every((s) => s === 'critical') ? true : undefined,
      { timeoutMs: 30_000 });
      const passing = (await (await fetch(`${cluster.consul.url}/v1/health/service/parley-gateway?passing=true`)).json()) as unknown[];
      expect(passing).toEqual([]);
      for (const node of [n1, n2]) {
        const res = await fetch(`${node.url}/readyz`);
        expect(res.status).toBe(503);
        expect(((await res.json()) as { failed: string[] }).failed).toContain('redis');
      }

      // Each side says once that it lists the unready ones...
      await waitFor('every process in panic mode', () => (ids.every((id) => panics(id) === (panicsBefore.get(id) ?? 0) + 1) ? true : undefined));
      // ...and so never dropped the gateway: the streams stay.
      expect([n1, n2].map((n) => gatewayListChanges(n.nodeId))).toEqual(changesBefore);

      // The gateway still hands out nodes (not NO_NODES).
      expect([n1.nodeId, n2.nodeId]).toContain((await alice.assign()).nodeId);

      // A message crosses the relay while Redis is down.
      const during = await alice.sendText({ type: 'user', id: bob.id }, 'during the outage');
      expect(await bob.waitForMessage((m) => m.id === during.id)).toEqual(during);
    } finally {
      redis.resume();
    }

    await waitFor('every check passing again', () =>
      [...checkStatuses(cluster, 'parley-im'), ...checkStatuses(cluster, 'parley-gateway')].every((s) => s === 'passing') ? true : undefined,
    { timeoutMs: 30_000 });
    await waitFor('every process out of panic mode', () => (ids.every((id) => overs(id) === (oversBefore.get(id) ?? 0) + 1) ? true : undefined));
    for (const id of ids) expect(panics(id)).toBe((panicsBefore.get(id) ?? 0) + 1); // warned once for the whole outage
    expect([n1, n2].map((n) => gatewayListChanges(n.nodeId))).toEqual(changesBefore); // one gateway: never a change
    const after = await alice.sendText({ type: 'user', id: bob.id }, 'after the outage');
    expect(await bob.waitForMessage((m) => m.id === after.id)).toEqual(after);
  });
});
