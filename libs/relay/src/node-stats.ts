import type { NodeStats } from './generated/parley/relay/v1/NodeStats';

/** How often a node reports its stats on each ready stream (NodeStats). */
export const DEFAULT_STATS_INTERVAL_MS = 2_000;

/** What a node says of itself; the relay client adds the gateways it is ready on, the time and its frame totals. */
export interface NodeStatsInput {
  sockets: number;
  users: number;
  /** Totals since the node started. */
  messagesAccepted: number;
  deliveries: number;
  outboxDepth: number;
  ready: boolean;
  draining: boolean;
  startedAt: number;
  /** The node's public URL, as registered in discovery. */
  url: string;
}

/** Builds the wire frame from the node's own numbers (uint32 fields clamped: they are counts). */
export function toNodeStats(input: NodeStatsInput, gateways: readonly string[], framesIn: number, framesOut: number, at: number): NodeStats {
  return {
    sockets: uint32(input.sockets),
    users: uint32(input.users),
    messagesAccepted: input.messagesAccepted,
    deliveries: input.deliveries,
    relayFramesIn: framesIn,
    relayFramesOut: framesOut,
    outboxDepth: uint32(input.outboxDepth),
    ready: input.ready,
    draining: input.draining,
    gateways: [...gateways],
    startedAt: input.startedAt,
    at,
    url: input.url,
  };
}

function uint32(n: number): number {
  return Number.isFinite(n) ? Math.min(0xffff_ffff, Math.max(0, Math.floor(n))) : 0;
}
