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

/** What observeRelay hands back: drops the relay engine does not count itself, and the end of its readers. */
export interface RelayObservation {
  /**
   * Counts one frame the node dropped outside the relay engine (an invalid
   * admin command: `admin_<reason>`), reported by the same scrape-time reader
   * as the other drops (the family is observed: a direct inc() would vanish
   * at the next scrape). Reasons must be a fixed set.
   */
  dropped(reason: string): void;
  /** Stops every reader of this node (it closed): its relay series leave the next scrape. */
  stop(): void;
}

/**
 * Reports the relay's own counters at scrape time (nothing is counted on the
 * frame path twice): frames in and out, drops by reason, re-sends and
 * replays, ready streams per gateway, and the outbox depth.
 */
export function observeRelay(node: NodeMetrics, relay: RelayLink, state: NodeRelayState): RelayObservation {
  const { metrics, role } = node;
  const nodeLabel = { node: node.nodeId };
  const stops = [metrics.observeGauge(metrics.outboxDepth, () => [[nodeLabel, state.outbox.depth]])];
  const frameLabels = { in: { ...role, direction: 'in' }, out: { ...role, direction: 'out' } };
  const dropLabels = {
    publish_refused: { ...role, reason: 'publish_refused' },
    unacked_full: { ...role, reason: 'unacked_full' },
    outbox_full: { ...role, reason: 'outbox_full' },
  };
  const otherDrops = new Map<string, number>();
  const replayLabels = { resent: { ...nodeLabel, kind: 'resent' }, replayed: { ...nodeLabel, kind: 'replayed' } };
  stops.push(
    metrics.observeCounter(metrics.relayDropped, function* () {
      yield [dropLabels.outbox_full, state.outbox.stats().dropped] as const;
      for (const [reason, count] of state.inboundDrops()) yield [{ ...role, reason }, count] as const;
      for (const [reason, count] of otherDrops) yield [{ ...role, reason }, count] as const;
      if (!hasStats(relay)) return;
      const stats = relay.stats();
      yield [dropLabels.publish_refused, stats.publishDropped] as const;
      yield [dropLabels.unacked_full, stats.unackedFull] as const;
    }),
  );
  const observation: RelayObservation = {
    dropped: (reason) => void otherDrops.set(reason, (otherDrops.get(reason) ?? 0) + 1),
    stop: () => stops.forEach((stop) => stop()),
  };
  if (!hasStats(relay)) return observation;
  stops.push(
    metrics.observeCounter(metrics.relayFrames, () => {
      const stats = relay.stats();
      return [
        [frameLabels.in, stats.framesIn],
        [frameLabels.out, stats.framesOut],
      ];
    }),
    metrics.observeCounter(metrics.relayReplayed, () => {
      const stats = relay.stats();
      return [
        [replayLabels.resent, stats.resent],
        [replayLabels.replayed, stats.replayed],
      ];
    }),
    metrics.observeGauge(metrics.relayStreamsUp, () =>
      relay.connectedGateways().map((gateway) => [{ ...role, peer: gateway.gatewayId || gateway.address }, 1] as const),
    ),
  );
  return observation;
}
