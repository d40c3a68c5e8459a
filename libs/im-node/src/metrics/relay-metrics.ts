import type { RelayFrameRejection } from '@parley/protocol';
import type { RelayLink } from '../relay/relay-link';
import type { NodeMetrics } from './node-metrics';

/** The totals a relay engine keeps (RelayClient's stats), read at each scrape. */
export interface RelayLinkStats {
  framesIn: number;
  framesOut: number;
  /** Publishes refused: no ready gateway, all full, or stranded with nobody to take them. */
  publishDropped: number;
  /** Publishes a link refused for too many unacknowledged ones. */
  unackedFull: number;
  /** Unacknowledged publishes of a lost stream sent again through another gateway. */
  resent: number;
  /** Publishes to one node that came back late (outbox replays). */
  replayed: number;
}

/** What a relay engine may offer beyond RelayLink for metrics (RelayClient does). */
export interface RelayStatsSource {
  stats(): RelayLinkStats;
  connectedGateways(): readonly { address: string; gatewayId: string }[];
}

/** What the node itself keeps: frames it dropped as invalid, and its outbox. */
export interface NodeRelayState {
  inboundDrops(): ReadonlyMap<RelayFrameRejection, number>;
  outbox: { readonly depth: number; stats(): { dropped: number } };
}

function hasStats(relay: RelayLink): relay is RelayLink & RelayStatsSource {
  const candidate = relay as Partial<RelayStatsSource>;
  return typeof candidate.stats === 'function' && typeof candidate.connectedGateways === 'function';
}

/**
 * Reports the relay's own counters at scrape time (nothing is counted on the
 * frame path twice): frames in and out, drops by reason, re-sends and
 * replays, ready streams per gateway, and the outbox depth.
 */
export function observeRelay(node: NodeMetrics, relay: RelayLink, state: NodeRelayState): void {
  const { metrics, role } = node;
  const nodeLabel = { node: node.nodeId };
  metrics.observeGauge(metrics.outboxDepth, () => [[nodeLabel, state.outbox.depth]]);
  const frameLabels = { in: { ...role, direction: 'in' }, out: { ...role, direction: 'out' } };
  const dropLabels = {
    publish_refused: { ...role, reason: 'publish_refused' },
    unacked_full: { ...role, reason: 'unacked_full' },
    outbox_full: { ...role, reason: 'outbox_full' },
  };
  const replayLabels = { resent: { ...nodeLabel, kind: 'resent' }, replayed: { ...nodeLabel, kind: 'replayed' } };
  metrics.observeCounter(metrics.relayDropped, function* () {
    yield [dropLabels.outbox_full, state.outbox.stats().dropped] as const;
    for (const [reason, count] of state.inboundDrops()) yield [{ ...role, reason }, count] as const;
    if (!hasStats(relay)) return;
    const stats = relay.stats();
    yield [dropLabels.publish_refused, stats.publishDropped] as const;
    yield [dropLabels.unacked_full, stats.unackedFull] as const;
  });
  if (!hasStats(relay)) return;
  metrics.observeCounter(metrics.relayFrames, () => {
    const stats = relay.stats();
    return [
      [frameLabels.in, stats.framesIn],
      [frameLabels.out, stats.framesOut],
    ];
  });
  metrics.observeCounter(metrics.relayReplayed, () => {
    const stats = relay.stats();
    return [
      [replayLabels.resent, stats.resent],
      [replayLabels.replayed, stats.replayed],
    ];
  });
  metrics.observeGauge(metrics.relayStreamsUp, () =>
    relay.connectedGateways().map((gateway) => [{ ...role, peer: gateway.gatewayId || gateway.address }, 1] as const),
  );
}
