import { at, startCluster, waitFor, type Cluster } from '@parley/testing';
import { TestUser, befriend } from '../support/test-user';
import { FakeOtlpCollector, type ReceivedSpan } from './fake-otlp-collector';
import { logLines } from './log-lines';

jest.setTimeout(60_000);

const NAME = 'otel-e2e';

describe('OpenTelemetry spans of one message (a fake OTLP/HTTP collector)', () => {
  let cluster: Cluster;
  const collector = new FakeOtlpCollector();
  const users: TestUser[] = [];

  beforeAll(async () => {
    const endpoint = await collector.start();
    // The standard variable on every process; the exporter is off unless it is set.
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint };
    cluster = await startCluster({ nodes: 2, name: NAME, nodeEnv: otel, gatewayEnv: otel });
  }, 90_000);

  afterAll(async () => {
    for (const u of users.splice(0)) u.disconnect();
    await cluster?.stop();
    await collector.stop();
  });

  it('message.send (im-1) → relay.route (gw-1) → message.push (im-2): one trace, the log\'s trace id, each span the child of the hop before', async () => {
    const alice = await TestUser.register(cluster.gatewayUrl, 'ot-a');
    const bob = await TestUser.register(cluster.gatewayUrl, 'ot-b');
    users.push(alice, bob);
    await alice.connect(at(cluster.nodes, 0, 'im-1').url);
    await bob.connect(at(cluster.nodes, 1, 'im-2').url);
    await befriend(alice, bob);

    const sent = await alice.sendText({ type: 'user', id: bob.id }, 'spans please');
    await bob.waitForMessage((m) => m.id === sent.id);

    const send = await waitFor('the message.send span at the collector', () =>
      collector.spans.find((s) => s.name === 'message.send' && s.attributes['parley.message_id'] === sent.id),
    );
    const inTrace = (name: string): ReceivedSpan | undefined => collector.spans.find((s) => s.name === name && s.traceId === send.traceId);
    const route = await waitFor('the relay.route span', () => inTrace('relay.route'));
    const push = await waitFor('the message.push span', () => inTrace('message.push'));

    expect(send).toMatchObject({ instance: 'im-1', parentSpanId: '' });
    expect(route).toMatchObject({ instance: 'gw-1', parentSpanId: send.spanId });
    expect(route.attributes).toMatchObject({ 'parley.message_id': sent.id, 'parley.origin_node': 'im-1', 'parley.targets': 1 });
    expect(push).toMatchObject({ instance: 'im-2', parentSpanId: route.spanId });
    expect(push.attributes).toMatchObject({ 'parley.message_id': sent.id, 'parley.sockets': 1 });
    expect(send.traceId).toMatch(/^[0-9a-f]{32}$/);

    // The logs and the spans tell one story: the ack line's trace id is the spans' trace.
    const ackLine = await waitFor('the ack line', () => logLines(`${NAME}-im-1`).find((l) => l['trace'] === 'ack' && l['messageId'] === sent.id));
    expect(ackLine['traceId']).toBe(send.traceId);
    expect(collector.refused).toEqual([]);
  });
});
