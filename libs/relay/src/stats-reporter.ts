import type { Logger } from '@parley/util';
import type { NodeStats } from './generated/parley/relay/v1/NodeStats';
import { toNodeStats, type NodeStatsInput } from './node-stats';

/** What the node reports of itself; may answer later (it reads its metrics). */
export type NodeStatsProvider = () => NodeStatsInput | Promise<NodeStatsInput>;

/** A stream a report can be written to (GatewayLink). */
export interface StatsTarget {
  /** False when the stream is not welcomed or its queue is full: that report is skipped, the next replaces it. */
  sendStats(stats: NodeStats): boolean;
}

/** What a report adds to the node's own numbers, read when it is built. */
export interface StatsContext {
  /** Gateway ids of the streams ready now. */
  gateways(): string[];
  /** The client's relay frame totals (stats frames are not in them). */
  framesIn(): number;
  framesOut(): number;
}

/**
 * The node's NodeStats reports (the ops console's fleet view): a timer per
 * ready stream, so a stream reports at once when it becomes ready, then
 * every `intervalMs`, and nothing while it is down. The provider is asked
 * once per stream per interval (a few counter reads every 2 s: cheap).
 */
export class StatsReporter<L extends StatsTarget> {
  private readonly timers = new Map<L, NodeJS.Timeout>();

  constructor(
    private readonly intervalMs: number,
    private readonly context: StatsContext,
    private readonly counters: { statsSent: number },
    private readonly logger: Logger,
    private provider: NodeStatsProvider | undefined,
  ) {}

  /** Set once the node exists; without one, nothing is reported. */
  setProvider(provider: NodeStatsProvider): void {
    this.provider = provider;
  }

  /** The stream (re)became ready: a report now, then one per interval until it is down. */
  ready(link: L): void {
    this.down(link);
    const timer = setInterval(() => this.send([link]), this.intervalMs);
    timer.unref();
    this.timers.set(link, timer);
    this.send([link]);
  }

  down(link: L): void {
    const timer = this.timers.get(link);
    if (timer) clearInterval(timer);
    this.timers.delete(link);
  }

  /** One report now on every ready stream (the node's state changed), not at the next interval. */
  reportNow(): void {
    this.send([...this.timers.keys()]);
  }

  stop(): void {
    for (const timer of this.timers.values()) clearInterval(timer);
    this.timers.clear();
  }

  /** One report, built once, written to each stream given. */
  private send(links: readonly L[]): void {
    const provider = this.provider;
    if (!provider || links.length === 0) return;
    const send = (input: NodeStatsInput): void => {
      const stats = toNodeStats(input, this.context.gateways(), this.context.framesIn(), this.context.framesOut(), Date.now());
      for (const link of links) if (link.sendStats(stats)) this.counters.statsSent++;
    };
    const failed = (err: unknown): void => this.logger.warn({ err }, 'node stats provider failed; no report this time');
    try {
      const input = provider();
      // send may throw too: .catch after .then, or a throw there is an unhandled rejection (a crash).
      if (input instanceof Promise) input.then(send).catch(failed);
      else send(input);
    } catch (err) {
      failed(err);
    }
  }
}
