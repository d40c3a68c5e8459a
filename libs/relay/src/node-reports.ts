import type { NodeStats__Output } from './generated/parley/relay/v1/NodeStats';

/** A validated NodeStats, as the gateway keeps it. */
export type NodeStatsReport = NodeStats__Output;

/** One node's latest report, as the gateway last received it. */
export interface NodeReport {
  nodeId: string;
  /** True while the node's stream to this gateway is open. */
  connected: boolean;
  /** The gateway's clock when the report arrived. */
  receivedAt: number;
  stats: NodeStatsReport;
}

/** Bounds of a report: past them it is refused whole (a node speaks only for itself, but must not grow our memory). */
const MAX_GATEWAYS = 64;
const MAX_ID_CHARS = 128;
const MAX_URL_CHARS = 2_048;

/** Null when a number is not a finite non-negative one, or a list or string is past its bound. */
export function validNodeStats(stats: NodeStats__Output): NodeStatsReport | null {
  const totals = [stats.messagesAccepted, stats.deliveries, stats.relayFramesIn, stats.relayFramesOut, stats.startedAt, stats.at];
  for (const n of totals) if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return null;
  if (stats.gateways.length > MAX_GATEWAYS || stats.gateways.some((g) => g.length === 0 || g.length > MAX_ID_CHARS)) return null;
  if (stats.url.length > MAX_URL_CHARS) return null;
  return { ...stats, gateways: [...new Set(stats.gateways)] };
}

/**
 * The latest report of each node, kept by the gateway: one row per
 * connected node (a flood only overwrites its own row), and the rows of
 * nodes whose stream ended for `goneKeepMs` more (the console shows them
 * stale rather than vanishing at once), at most `maxGone` of those.
 */
export class NodeReports {
  private readonly rows = new Map<string, NodeReport>();
  /** Nodes whose stream ended, in order of leaving, with when. */
  private readonly gone = new Map<string, number>();

  constructor(
    private readonly goneKeepMs = 60_000,
    private readonly maxGone = 1_000,
  ) {}

  /**
   * A node's report as it arrived, kept under the stream's proven node id (a
   * node speaks only for itself); false when refused (see validNodeStats).
   */
  receive(nodeId: string, stats: NodeStats__Output, now: number): boolean {
    const valid = validNodeStats(stats);
    if (valid) this.record(nodeId, valid, now);
    return valid !== null;
  }

  record(nodeId: string, stats: NodeStatsReport, now: number): void {
    this.gone.delete(nodeId);
    this.rows.set(nodeId, { nodeId, connected: true, receivedAt: now, stats });
  }

  /** The node's stream ended: its row stays for `goneKeepMs`. */
  disconnected(nodeId: string, now: number): void {
    const row = this.rows.get(nodeId);
    if (!row) return;
    row.connected = false;
    this.gone.delete(nodeId);
    this.gone.set(nodeId, now);
    this.prune(now);
  }

  /** The node connected again (a new stream): its old row counts as live until the next report. */
  connected(nodeId: string): void {
    const row = this.rows.get(nodeId);
    if (row) row.connected = true;
    this.gone.delete(nodeId);
  }

  list(now: number): NodeReport[] {
    this.prune(now);
    return [...this.rows.values()].map((row) => ({ ...row, stats: { ...row.stats, gateways: [...row.stats.gateways] } }));
  }

  /** Rows kept now (tests: bounded). */
  get size(): number {
    return this.rows.size;
  }

  clear(): void {
    this.rows.clear();
    this.gone.clear();
  }

  private prune(now: number): void {
    for (const [nodeId, leftAt] of this.gone) {
      // Oldest first: stop at the first one still young, unless there are too many.
      if (now - leftAt < this.goneKeepMs && this.gone.size <= this.maxGone) break;
      this.gone.delete(nodeId);
      this.rows.delete(nodeId);
    }
  }
}
