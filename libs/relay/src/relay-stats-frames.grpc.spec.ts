import type { NodeStatsInput } from './node-stats';
import { RelayServer } from './relay-server.grpc';
import { auth, TestNode } from './testing/relay-test-kit';

const input: NodeStatsInput = { sockets: 0, users: 0, messagesAccepted: 0, deliveries: 0, outboxDepth: 0, ready: true, draining: false, startedAt: 1, url: 'http://n' };

describe('relay NodeStats frames are not relay traffic', () => {
  let server: RelayServer | undefined;
  const nodes: TestNode[] = [];

  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.client.stop()));
    await server?.stop();
  });

  it('an idle cluster reporting stats moves no frame counter on either side (nor the frames its reports carry); the reports are counted apart', async () => {
    server = new RelayServer({ gatewayId: 'g1', auth, shutdownGraceMs: 200 });
    const { port } = await server.start();
    const address = `127.0.0.1:${port}`;
    const a = new TestNode('A', [address], [], { statsIntervalMs: 10, nodeStats: () => input });
    const b = new TestNode('B', [address], [], { statsIntervalMs: 10, nodeStats: () => input });
    nodes.push(a, b);
    a.client.start();
    b.client.start();
    await a.ready();
    await b.ready();
    const relay = server;
    await waitFor(() => relay.stats().statsReports >= 2 && relay.connectedNodes().length === 2);
    // Hellos, Welcomes and PeerUps are done by now; nothing else is sent while the cluster is idle.
    await waitFor(() => a.client.stats().framesIn >= 2);
    const before = { server: relay.stats(), a: a.client.stats(), b: b.client.stats() };

    await waitFor(() => relay.stats().statsReports >= before.server.statsReports + 20);

    const after = { server: relay.stats(), a: a.client.stats(), b: b.client.stats() };
    expect(after.server.framesIn).toBe(before.server.framesIn);
    expect(after.server.framesOut).toBe(before.server.framesOut);
    expect(after.a.framesOut).toBe(before.a.framesOut);
    expect(after.b.framesOut).toBe(before.b.framesOut);
    expect(after.a.framesIn).toBe(before.a.framesIn);
    // One Hello per node is all the gateway has read as relay frames.
    expect(after.server.framesIn).toBe(2);
    expect(after.a.statsSent + after.b.statsSent).toBeGreaterThanOrEqual(after.server.statsReports);
    expect(after.server.statsRejected).toBe(0);
    // What the nodes report of their relay traffic (the console's chart) stays flat too: one Hello out each.
    for (const row of relay.nodeReports()) expect(row.stats.relayFramesOut).toBe(1);
  });
});

/** Re-checks every few milliseconds until `check` holds (nothing emits per stats frame). */
async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
