import { at, startCluster, waitFor, type Cluster } from '@parley/testing';
import { TestUser, befriend } from '../support/test-user';
import { grepLogs, logLines, type LogLine } from './log-lines';

jest.setTimeout(60_000);

const NAME = 'trace-e2e';
const GATEWAY = `${NAME}-gw-1`;
const NODE_1 = `${NAME}-im-1`;
const NODE_2 = `${NAME}-im-2`;

describe('follow one message: grep of its trace id shows its whole path', () => {
  let cluster: Cluster;
  const users: TestUser[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, name: NAME });
  }, 90_000);

  afterAll(async () => {
    for (const u of users.splice(0)) u.disconnect();
    await cluster?.stop();
  });

  it('logs the ack on the sender node, the route on the gateway and the push on the receiving node, in that order', async () => {
    const alice = await TestUser.register(cluster.gatewayUrl, 'tr-a');
    const bob = await TestUser.register(cluster.gatewayUrl, 'tr-b');
    const alicePhone = TestUser.fromSession(alice);
    users.push(alice, bob, alicePhone);
    await alice.connect(at(cluster.nodes, 0, 'im-1').url);
    await alicePhone.connect(at(cluster.nodes, 0, 'im-1').url);
    await bob.connect(at(cluster.nodes, 1, 'im-2').url);
    await befriend(alice, bob);

    const ack = await alice.command('message:send', { to: { type: 'user', id: bob.id }, clientMsgId: 'trace-1', kind: 'text', body: { text: 'follow me' } });
    if (!ack.ok) throw new Error(`send refused: ${ack.error.code}`);
    const messageId = ack.message.id;
    const delivered = await bob.waitForMessage((m) => m.id === messageId);

    // The operator's view: the ack line on node 1 names the message; its trace id is the thread to pull.
    const ackLine = await waitFor('the ack line on im-1', () => logLines(NODE_1).find((l) => l['trace'] === 'ack' && l['messageId'] === messageId));
    const traceId = ackLine['traceId'];
    if (typeof traceId !== 'string') throw new Error('the ack line has no trace id');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(ackLine).toMatchObject({ conversationId: ack.message.conversationId, nodeId: 'im-1', ok: true, ms: expect.any(Number) });
    // The node is named once, by the node logger's nodeId (the tracer adds no `node`).
    expect(ackLine).not.toHaveProperty('node');

    // Nobody but operators sees it: not in the sender's ack, not in what the recipient got.
    expect(Object.keys(ack).sort()).toEqual(['message', 'ok']);
    expect(JSON.stringify(ack)).not.toContain(traceId);
    expect(JSON.stringify(delivered)).not.toContain(traceId);

    const hops = await waitFor('the route and push lines', () => {
      const found = grepLogs([NODE_1, GATEWAY, NODE_2], traceId);
      const has = (process: string, hop: string, local?: boolean): boolean =>
        found.some((f) => f.process === process && f.line['trace'] === hop && (local === undefined || (f.line['local'] === true) === local));
      return has(NODE_1, 'ack') && has(GATEWAY, 'route') && has(NODE_2, 'push', false) && has(NODE_1, 'push', true) ? found : undefined;
    });

    const only = (process: string, hop: string): LogLine => {
      const lines = hops.filter((h) => h.process === process && h.line['trace'] === hop).map((h) => h.line);
      expect(lines).toHaveLength(1);
      return at(lines, 0, `${hop} on ${process}`);
    };
    const route = only(GATEWAY, 'route');
    const push = only(NODE_2, 'push');
    const localPush = only(NODE_1, 'push');
    expect(only(NODE_1, 'ack')).toEqual(ackLine);
    expect(route).toMatchObject({ messageId, gateway: 'gw-1', origin: 'im-1', event: 'message:new', targets: 1, nodes: ['im-2'] });
    expect(push).toMatchObject({ messageId, conversationId: ack.message.conversationId, nodeId: 'im-2', sockets: 1, origin: 'im-1', gateway: 'gw-1' });
    // Alice's phone on the same node: pushed there directly (her sending socket is not).
    expect(localPush).toMatchObject({ messageId, nodeId: 'im-1', sockets: 1, local: true });
    // In order (pino's time is in ms: equal times are in order too).
    expect(ackLine.time).toBeLessThanOrEqual(route.time);
    expect(route.time).toBeLessThanOrEqual(push.time);
    expect(hops.every((h) => h.line['traceId'] === traceId)).toBe(true);
  });

  it('another message gets another trace id', async () => {
    const [alice, bob] = [at(users, 0, 'alice'), at(users, 1, 'bob')];
    const sent = await alice.sendText({ type: 'user', id: bob.id }, 'second');
    const first = logLines(NODE_1).find((l) => l['trace'] === 'ack')?.['traceId'];
    const second = await waitFor('the second ack', () => logLines(NODE_1).find((l) => l['trace'] === 'ack' && l['messageId'] === sent.id)?.['traceId']);
    expect(second).not.toBe(first);
  });
});
