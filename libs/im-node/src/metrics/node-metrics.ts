import type { ParleyMetrics, RoleLabels, StopObserving } from '@parley/observability';

/** A counter child with its labels bound. */
export interface Count {
  inc(by?: number): void;
}

/** A histogram child with its labels bound. */
export interface Timing {
  observe(seconds: number): void;
}

/** How a handshake ended (the `outcome` label). */
export type HandshakeOutcome = 'ok' | 'unauthorized' | 'origin' | 'not_accepting' | 'error';

/** The limits whose refusals are counted (the `limit` label of parley_rate_limited_total). */
export type NodeLimit = 'command_budget' | 'send_rate' | 'user_send' | 'social';

/** Where a delivered message:new came from (the `source` label). */
export type DeliverySource = 'local' | 'relayed';

/** A command's name as a label: one of the protocol's, or 'unknown'. */
const UNKNOWN_COMMAND = 'unknown';

/**
 * One IM node's metric handles, bound to its `node` label once: the hot
 * paths (commands, sends, deliveries) reach a pre-bound child through a map
 * lookup, never by building label objects per call. Label values are
 * bounded: command names (unknown ones as 'unknown'), error codes, limits.
 */
export class NodeMetrics {
  readonly role: RoleLabels;
  readonly messagesAccepted: Count;
  readonly messagesDeduplicated: Count;
  readonly sessionsHandedOff: Count;
  readonly deliveries: Readonly<Record<DeliverySource, Count>>;
  /** Relayed message:new, creation on the sending node to the push here (the relay's lag). */
  readonly relayLag: Timing;
  private readonly commandCounts = new Map<string, Map<string, Count>>();
  private readonly commandTimes = new Map<string, Timing>();
  private readonly rejected = new Map<string, Count>();
  private readonly handshakeCounts = new Map<HandshakeOutcome, [Count, Timing]>();
  private readonly limits = new Map<NodeLimit, Count>();

  constructor(
    readonly metrics: ParleyMetrics,
    readonly nodeId: string,
    /** Command names that are their own label value; any other is 'unknown'. */
    private readonly commandNames: ReadonlySet<string>,
  ) {
    const node = { node: nodeId };
    this.role = metrics.forNode(nodeId);
    this.messagesAccepted = metrics.messagesAccepted.labels(node);
    this.messagesDeduplicated = metrics.messagesDeduplicated.labels(node);
    this.sessionsHandedOff = metrics.sessionsHandedOff.labels(node);
    this.deliveries = {
      local: metrics.deliveries.labels({ ...node, source: 'local' }),
      relayed: metrics.deliveries.labels({ ...node, source: 'relayed' }),
    };
    this.relayLag = metrics.relayDeliveryLag.labels(node);
  }

  /** A command answered: `code` is OK or the error code; `seconds` from receipt to ack. */
  command(name: string, code: string, seconds: number): void {
    const command = this.commandNames.has(name) ? name : UNKNOWN_COMMAND;
    let byCode = this.commandCounts.get(command);
    if (!byCode) this.commandCounts.set(command, (byCode = new Map()));
    let count = byCode.get(code);
    if (!count) byCode.set(code, (count = this.metrics.commands.labels({ node: this.nodeId, command, code })));
    count.inc();
    let timing = this.commandTimes.get(command);
    if (!timing) this.commandTimes.set(command, (timing = this.metrics.commandDuration.labels({ node: this.nodeId, command })));
    timing.observe(seconds);
  }

  /** A message:send refused with `code`. */
  messageRejected(code: string): void {
    let count = this.rejected.get(code);
    if (!count) this.rejected.set(code, (count = this.metrics.messagesRejected.labels({ node: this.nodeId, code })));
    count.inc();
  }

  handshake(outcome: HandshakeOutcome, seconds: number): void {
    let pair = this.handshakeCounts.get(outcome);
    if (!pair) {
      const labels = { node: this.nodeId, outcome };
      pair = [this.metrics.handshakes.labels(labels), this.metrics.handshakeDuration.labels(labels)];
      this.handshakeCounts.set(outcome, pair);
    }
    pair[0].inc();
    pair[1].observe(seconds);
  }

  rateLimited(limit: NodeLimit): void {
    this.limitCount(limit).inc();
  }

  /** The refusals counter of one limit, for a limiter that counts its own (CountedRateLimiter). */
  limitCount(limit: NodeLimit): Count {
    let count = this.limits.get(limit);
    if (!count) this.limits.set(limit, (count = this.metrics.rateLimited.labels({ ...this.role, limit })));
    return count;
  }

  /**
   * The node's gauges, read at each scrape: sockets and users connected,
   * draining, ready (the last readiness answer; a stale one starts a check).
   * Returns what stops them (the node closed: its series leave the next scrape).
   */
  observeState(read: { sockets(): number; users(): number; draining(): boolean; readyNow(): boolean }): StopObserving {
    const { metrics } = this;
    const node = { node: this.nodeId };
    const stops = [
      metrics.observeGauge(metrics.socketsConnected, () => [[node, read.sockets()]]),
      metrics.observeGauge(metrics.usersConnected, () => [[node, read.users()]]),
      metrics.observeGauge(metrics.draining, () => [[node, read.draining() ? 1 : 0]]),
      metrics.observeGauge(metrics.ready, () => [[this.role, read.readyNow() ? 1 : 0]]),
    ];
    return () => stops.forEach((stop) => stop());
  }
}

/** Seconds since `startedAt` (a performance.now() reading). */
export function secondsSince(startedAt: number): number {
  return (performance.now() - startedAt) / 1000;
}
