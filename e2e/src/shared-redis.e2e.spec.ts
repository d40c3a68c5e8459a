import { at, startCluster, type Cluster } from '@parley/testing';
import { TestUser } from './support/test-user';

jest.setTimeout(90_000);

/*
 * Two deployments on one Redis (the test suite's clusters do exactly this,
 * with the same node ids): each keeps its presence under its own
 * PARLEY_REDIS_PREFIX, so one stopping does not clear the other's.
 */
describe('two clusters sharing one Redis', () => {
  // Slow heartbeats: lost presence would stay lost for the whole test.
  const slowPresence = { PARLEY_HEARTBEAT_MS: '20000', PARLEY_PRESENCE_TTL_MS: '60000' };
  let kept: Cluster;
  let other: Cluster | undefined;
  let user: TestUser | undefined;

  beforeAll(async () => {
    [kept, other] = await Promise.all([
      startCluster({ nodes: 1, name: 'shared-redis-kept', nodeEnv: slowPresence }),
      startCluster({ nodes: 1, name: 'shared-redis-other', nodeEnv: slowPresence }),
    ]);
  }, 120_000);

  afterAll(async () => {
    user?.disconnect();
    await Promise.all([kept?.stop(), other?.stop()]);
  });

  it('keeps a session online in one cluster when the other, with the same node id, shuts down', async () => {
    const keptNode = at(kept.nodes, 0, 'IM node');
    expect(keptNode.nodeId).toBe(other?.nodes[0]?.nodeId);
    user = await TestUser.register(kept.gatewayUrl, 'shared');
    await user.connect(keptNode.url);
    const online = async (): Promise<boolean | undefined> =>
      (await user?.ok('presence:query', { userIds: [user.id] }))?.presence[0]?.online;
    expect(await online()).toBe(true);

    await other?.stop(); // its node removes its own presence on the way out
    other = undefined;
    expect(await online()).toBe(true);
  });
});
