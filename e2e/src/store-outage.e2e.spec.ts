import { TEST_PASSWORD, at, startCluster, startMariadb, type Cluster, type TestService } from '@parley/testing';
import { TestUser, befriend, uniqueName } from './support/test-user';

jest.setTimeout(60_000);

describe('when MySQL goes away', () => {
  let mysql: TestService;
  let cluster: Cluster;

  beforeAll(async () => {
    mysql = await startMariadb();
    cluster = await startCluster({ nodes: 1, mysqlUrl: mysql.url, name: 'store-outage' });
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
    await mysql?.stop();
  });

  it('answers UNAVAILABLE and acks nothing; the gateway answers 503 with a problem body', async () => {
    const alice = await TestUser.register(cluster.gatewayUrl, 'outage-a');
    const bob = await TestUser.register(cluster.gatewayUrl, 'outage-b');
    const { url } = at(cluster.nodes, 0, 'IM node');
    await alice.connect(url);
    await bob.connect(url);
    await befriend(alice, bob);
    await alice.sendText({ type: 'user', id: bob.id }, 'while the store is up');
    await bob.waitForMessages(1);

    await mysql.stop();

    const ack = await alice.command('message:send', {
      to: { type: 'user', id: bob.id },
      clientMsgId: uniqueName('down'),
      kind: 'text',
      body: { text: 'nobody can store this' },
    });
    expect(ack).toEqual({ ok: false, error: expect.objectContaining({ code: 'UNAVAILABLE' }) });
    await new Promise((r) => setTimeout(r, 300));
    expect(bob.received.map((m) => m.body.text)).toEqual(['while the store is up']);
    expect(alice.socket?.connected).toBe(true);

    const login = await fetch(`${cluster.gatewayUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: alice.auth.user.username, password: TEST_PASSWORD }),
    });
    expect(login.status).toBe(503);
    expect(await login.json()).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
    alice.disconnect();
    bob.disconnect();
  });
});
