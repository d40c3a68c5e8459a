import { ParleyMetrics } from '@parley/observability';
import type { ImServer } from '../socket/socket-types';
import { nodeStatsProvider } from './node-stats';

describe('nodeStatsProvider (what a node reports in NodeStats)', () => {
  it('reports its sockets, distinct users, its own message totals (not another node\'s in the same registry) and its state', async () => {
    const metrics = new ParleyMetrics({ defaultMetrics: false });
    metrics.messagesAccepted.labels({ node: 'im-1' }).inc(3);
    metrics.messagesAccepted.labels({ node: 'im-2' }).inc(100);
    metrics.deliveries.labels({ node: 'im-1', source: 'local' }).inc(4);
    metrics.deliveries.labels({ node: 'im-1', source: 'relayed' }).inc(5);
    metrics.deliveries.labels({ node: 'im-2', source: 'local' }).inc(100);
    // Users are the node's own count (countConnectedUsers); the rooms are never walked.
    const rooms = { keys: () => { throw new Error('rooms walked'); } };
    const io = { of: () => ({ sockets: new Map([['s1', {}], ['s2', {}], ['s3', {}]]), adapter: { rooms } }) } as unknown as ImServer;
    let draining = false;
    const report = nodeStatsProvider(io, metrics, { nodeId: 'im-1', url: () => 'http://im-1', users: () => 2, ready: () => !draining, draining: () => draining, outboxDepth: () => 7 }, 1_000);
    await expect(report()).resolves.toEqual({
      sockets: 3,
      users: 2,
      messagesAccepted: 3,
      deliveries: 9,
      outboxDepth: 7,
      ready: true,
      draining: false,
      startedAt: 1_000,
      url: 'http://im-1',
    });
    draining = true;
    await expect(report()).resolves.toMatchObject({ ready: false, draining: true });
  });
});
