import type { ParleyMetrics, RoleLabels, StopObserving } from '@parley/observability';
import type { RelayServerStats } from '@parley/relay';

/** What the relay metrics read from the gateway's RelayServer. */
export interface RelayServerView {
  stats(): RelayServerStats;
  connectedNodes(): string[];
}

/**
 * The relay server's own counters, reported at each scrape (the relay keeps
 * them anyway: nothing is added to the frame path):
 *
 * - parley_relay_frames_total{direction=in|out}
 * - parley_relay_frames_dropped_total{reason}: `queue_full` (Deliver frames
 *   to a node whose queue was full), `stream_closed` (Deliver frames lost with
 *   their node's stream: it resyncs its sessions), `protocol_violation` (the frame that
 *   ended a node's stream), `invalid_stats` (NodeStats reports refused)
 * - parley_relay_streams_up{peer=<nodeId>}: 1 per node with a stream here
 *
 * Returns what stops these readers (the gateway stopped: its series leave the next scrape).
 */
export function observeRelayServer(metrics: ParleyMetrics, role: RoleLabels, relay: RelayServerView): StopObserving {
  const directions = { in: { ...role, direction: 'in' }, out: { ...role, direction: 'out' } };
  const stopFrames = metrics.observeCounter(metrics.relayFrames, () => {
    const stats = relay.stats();
    return [
      [directions.in, stats.framesIn],
      [directions.out, stats.framesOut],
    ];
  });
  const reasons = {
    queueFull: { ...role, reason: 'queue_full' },
    closed: { ...role, reason: 'stream_closed' },
    protocol: { ...role, reason: 'protocol_violation' },
    stats: { ...role, reason: 'invalid_stats' },
  };
  const stopDropped = metrics.observeCounter(metrics.relayDropped, () => {
    const stats = relay.stats();
    return [
      [reasons.queueFull, stats.dropped],
      [reasons.closed, stats.droppedClosed],
      [reasons.protocol, stats.rejected],
      [reasons.stats, stats.statsRejected],
    ];
  });
  const stopStreams = metrics.observeGauge(metrics.relayStreamsUp, () => relay.connectedNodes().map((peer) => [{ ...role, peer }, 1] as const));
  return () => {
    stopFrames();
    stopDropped();
    stopStreams();
  };
}
