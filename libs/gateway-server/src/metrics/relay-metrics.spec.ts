import { ParleyMetrics } from '@parley/observability';
import type { RelayServerStats } from '@parley/relay';
import { observeRelayServer } from './relay-metrics';

const ZERO: RelayServerStats = {
  framesIn: 0,
  framesOut: 0,
  publishes: 0,
  delivers: 0,
  dropped: 0,
  droppedClosed: 0,
  roomsLost: 0,
  acks: 0,
  peerUps: 0,
  directed: 0,
  rejected: 0,
  unauthenticated: 0,
  statsReports: 0,
  statsRejected: 0,
  adminCommands: 0,
  rememberedProofs: 0,
};

const seriesOf = (text: string, family: string): string[] => text.split('\n').filter((line) => line.startsWith(`${family}{`));

describe('relay server metrics', () => {
  it('reports the relay its own counters and streams at each scrape, with the gateway label', async () => {
    const metrics = new ParleyMetrics({ defaultMetrics: false });
    let stats = { ...ZERO };
    let nodes = ['im-1', 'im-2'];
    const stop = observeRelayServer(metrics, metrics.forGateway('gw-1'), { stats: () => stats, connectedNodes: () => nodes });

    stats = { ...ZERO, framesIn: 12, framesOut: 30, dropped: 4, droppedClosed: 3, rejected: 1, statsRejected: 2 };
    let text = (await metrics.text()).body;
    expect(seriesOf(text, 'parley_relay_frames_total')).toEqual([
      'parley_relay_frames_total{node="",gateway="gw-1",direction="in"} 12',
      'parley_relay_frames_total{node="",gateway="gw-1",direction="out"} 30',
    ]);
    expect(seriesOf(text, 'parley_relay_frames_dropped_total')).toEqual([
      'parley_relay_frames_dropped_total{node="",gateway="gw-1",reason="queue_full"} 4',
      'parley_relay_frames_dropped_total{node="",gateway="gw-1",reason="stream_closed"} 3',
      'parley_relay_frames_dropped_total{node="",gateway="gw-1",reason="protocol_violation"} 1',
      'parley_relay_frames_dropped_total{node="",gateway="gw-1",reason="invalid_stats"} 2',
    ]);
    expect(seriesOf(text, 'parley_relay_streams_up')).toEqual([
      'parley_relay_streams_up{node="",gateway="gw-1",peer="im-1"} 1',
      'parley_relay_streams_up{node="",gateway="gw-1",peer="im-2"} 1',
    ]);

    // A node gone: its series goes with it (no stale 1); totals follow the relay's.
    nodes = ['im-2'];
    stats = { ...stats, framesIn: 13 };
    text = (await metrics.text()).body;
    expect(seriesOf(text, 'parley_relay_streams_up')).toEqual(['parley_relay_streams_up{node="",gateway="gw-1",peer="im-2"} 1']);
    expect(seriesOf(text, 'parley_relay_frames_total')[0]).toBe('parley_relay_frames_total{node="",gateway="gw-1",direction="in"} 13');

    // The gateway stopped: none of its relay series is scraped any more.
    stop();
    text = (await metrics.text()).body;
    expect(text.split('\n').filter((line) => line.includes('gateway="gw-1"'))).toEqual([]);
  });
});
