import { io } from 'socket.io-client';
import { ParleyClient } from '@parley/client';
import type { Message } from '@parley/protocol';
import { TEST_PASSWORD, at, startCluster, type Cluster } from '@parley/testing';
import { uniqueName } from './support/test-user';

jest.setTimeout(60_000);

describe('the client library against two IM nodes', () => {
  let cluster: Cluster;
  const clients: ParleyClient[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, name: 'client-sdk-e2e' });
  }, 90_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await cluster?.stop();
  });

  async function client(): Promise<{ c: ParleyClient; released: Message[] }> {
    const c = new ParleyClient({ gatewayUrl: cluster.gatewayUrl, io });
    clients.push(c);
    await c.register(uniqueName('sdk'), TEST_PASSWORD);
    const released: Message[] = [];
    c.on('message', (m) => released.push(m));
    await c.connect();
    return { c, released };
  }

  it('releases concurrent group traffic from both nodes to every member once, in seq order', async () => {
    const members = [await client(), await client(), await client()] as const;
    expect(new Set(members.map((m) => m.c.nodeId)).size).toBe(2); // round-robin spread them
    const [owner, ...others] = members;
    // Friends are added at once (strangers would be invited: group-invitations.e2e.spec.ts).
    for (const other of others) {
      const { request } = await owner.c.command('friend:request', { userId: other.c.user!.id });
      await other.c.command('friend:respond', { requestId: request.id, accept: true });
    }
    const { group } = await owner.c.command('group:create', { name: 'sdk', memberIds: others.map((m) => m.c.user!.id) });
    await Promise.all(others.map((m) => m.c.syncNow()));

    const sends = members.flatMap(({ c }, i) =>
      Array.from({ length: 10 }, (_, j) => c.send({ type: 'group', id: group.id }, `from ${i} #${j}`)),
    );
    const acked = await Promise.all(sends);
    const { conversationId } = at(acked, 0, 'acked message');
    const seqs = acked.map((m) => m.seq).sort((a, b) => a - b);
    const lowest = at(seqs, 0, 'seq');
    expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => lowest + i));

    for (const { c, released } of members) {
      await waitFor(() => c.messages(conversationId).filter((m) => m.kind === 'text').length === 30);
      const inGroup = released.filter((m) => m.conversationId === conversationId);
      const order = inGroup.map((m) => m.seq);
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(new Set(inGroup.map((m) => m.id)).size).toBe(inGroup.length);
      expect(inGroup.filter((m) => m.kind === 'text').map((m) => m.id).sort()).toEqual(acked.map((m) => m.id).sort());
    }
  });
});

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
