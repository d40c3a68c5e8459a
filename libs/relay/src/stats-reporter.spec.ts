import { silentLogger } from '@parley/util';
import type { NodeStats } from './generated/parley/relay/v1/NodeStats';
import type { NodeStatsInput } from './node-stats';
import { StatsReporter, type StatsTarget } from './stats-reporter';

const input: NodeStatsInput = { sockets: 4, users: 3, messagesAccepted: 9, deliveries: 8, outboxDepth: 0, ready: true, draining: false, startedAt: 1, url: 'http://n' };

class Link implements StatsTarget {
  readonly sent: NodeStats[] = [];
  full = false;
  sendStats(stats: NodeStats): boolean {
    if (this.full) return false;
    this.sent.push(stats);
    return true;
  }
}

describe('StatsReporter', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function reporter(provider = jest.fn(() => input)) {
    const counters = { statsSent: 0 };
    const context = { gateways: () => ['g1', 'g2'], framesIn: () => 5, framesOut: () => 6 };
    return { reporter: new StatsReporter<Link>(1_000, context, counters, silentLogger, provider), counters, provider };
  }

  it('reports on a stream at once when it is ready, then once per interval, and never once it is down', () => {
    const { reporter: r, counters } = reporter();
    const a = new Link();
    r.ready(a);
    expect(a.sent).toHaveLength(1);
    expect(a.sent[0]).toMatchObject({ sockets: 4, gateways: ['g1', 'g2'], relayFramesIn: 5, relayFramesOut: 6 });
    jest.advanceTimersByTime(3_000);
    expect(a.sent).toHaveLength(4);
    r.down(a);
    jest.advanceTimersByTime(10_000);
    expect(a.sent).toHaveLength(4);
    expect(counters.statsSent).toBe(4);
  });

  it('a stream ready again keeps one timer, not two', () => {
    const { reporter: r } = reporter();
    const a = new Link();
    r.ready(a);
    r.ready(a);
    jest.advanceTimersByTime(1_000);
    expect(a.sent).toHaveLength(3);
  });

  it('reportNow builds one report for every ready stream; a full stream skips it, uncounted', () => {
    const { reporter: r, counters, provider } = reporter();
    const a = new Link();
    const b = new Link();
    r.ready(a);
    r.ready(b);
    b.full = true;
    provider.mockClear();
    r.reportNow();
    expect(provider).toHaveBeenCalledTimes(1);
    expect(a.sent).toHaveLength(2);
    expect(b.sent).toHaveLength(1);
    expect(counters.statsSent).toBe(3);
  });

  it('without a provider nothing is sent until one is set; stop ends every timer', () => {
    const counters = { statsSent: 0 };
    const r = new StatsReporter<Link>(1_000, { gateways: () => [], framesIn: () => 0, framesOut: () => 0 }, counters, silentLogger, undefined);
    const a = new Link();
    r.ready(a);
    jest.advanceTimersByTime(2_000);
    expect(a.sent).toHaveLength(0);
    r.setProvider(() => input);
    jest.advanceTimersByTime(1_000);
    expect(a.sent).toHaveLength(1);
    r.stop();
    jest.advanceTimersByTime(5_000);
    expect(a.sent).toHaveLength(1);
  });

  it('a provider that throws is logged, and the next interval reports again', () => {
    const warn = jest.fn();
    let fail = true;
    const r = new StatsReporter<Link>(
      1_000,
      { gateways: () => [], framesIn: () => 0, framesOut: () => 0 },
      { statsSent: 0 },
      { ...silentLogger, warn },
      () => {
        if (fail) throw new Error('metrics unavailable');
        return input;
      },
    );
    const a = new Link();
    r.ready(a);
    expect(warn).toHaveBeenCalledTimes(1);
    fail = false;
    jest.advanceTimersByTime(1_000);
    expect(a.sent).toHaveLength(1);
  });
});
