import { NodeReports, validNodeStats, type NodeStatsReport } from './node-reports';

const stats = (sockets: number): NodeStatsReport => ({
  sockets,
  users: 0,
  messagesAccepted: 0,
  deliveries: 0,
  relayFramesIn: 0,
  relayFramesOut: 0,
  outboxDepth: 0,
  ready: true,
  draining: false,
  gateways: ['g1', 'g1'],
  startedAt: 0,
  at: 0,
  url: '',
});

describe('NodeReports', () => {
  it('keeps a gone node for the keep window, then forgets it; a reconnect keeps it', () => {
    const reports = new NodeReports(60_000);
    reports.record('a', stats(1), 0);
    reports.record('b', stats(2), 0);
    reports.disconnected('a', 1_000);
    reports.disconnected('b', 1_000);
    reports.connected('b');
    expect(reports.list(60_999).map((r) => [r.nodeId, r.connected])).toEqual([
      ['a', false],
      ['b', true],
    ]);
    expect(reports.list(61_000).map((r) => r.nodeId)).toEqual(['b']);
  });

  it('keeps at most maxGone gone nodes, forgetting the oldest first', () => {
    const reports = new NodeReports(60_000, 2);
    for (let i = 0; i < 5; i++) {
      reports.record(`n${i}`, stats(i), i);
      reports.disconnected(`n${i}`, i);
    }
    expect(reports.size).toBe(2);
    expect(reports.list(10).map((r) => r.nodeId)).toEqual(['n3', 'n4']);
  });

  it('receive keeps a valid report under the node id given and refuses an invalid one, leaving the row as it was', () => {
    const reports = new NodeReports();
    expect(reports.receive('a', stats(1), 0)).toBe(true);
    expect(reports.receive('a', { ...stats(9), deliveries: -1 }, 1)).toBe(false);
    expect(reports.receive('b', { ...stats(9), at: Number.NaN }, 1)).toBe(false);
    expect(reports.list(1).map((r) => [r.nodeId, r.stats.sockets, r.stats.gateways])).toEqual([['a', 1, ['g1']]]);
  });

  it('hands out copies: a caller cannot change the kept row', () => {
    const reports = new NodeReports();
    reports.record('a', stats(1), 0);
    const [row] = reports.list(0);
    row?.stats.gateways.push('forged');
    expect(reports.list(0)[0]?.stats.gateways).toEqual(['g1', 'g1']);
  });
});

describe('validNodeStats', () => {
  it('refuses non-finite or negative totals and oversized lists, and removes duplicate gateways', () => {
    expect(validNodeStats(stats(1))?.gateways).toEqual(['g1']);
    expect(validNodeStats({ ...stats(1), deliveries: Number.NaN })).toBeNull();
    expect(validNodeStats({ ...stats(1), at: -5 })).toBeNull();
    expect(validNodeStats({ ...stats(1), gateways: [''] })).toBeNull();
    expect(validNodeStats({ ...stats(1), url: 'u'.repeat(3_000) })).toBeNull();
  });
});
