import type { FleetNode } from '@parley/protocol';

/** The counters a node reports as totals since it started; the console draws their rates. */
export const RATE_COUNTERS = ['messagesAccepted', 'deliveries', 'relayFramesIn', 'relayFramesOut'] as const;
export type RateCounter = (typeof RATE_COUNTERS)[number];

/** Per-second rates of one node's counters between two of its reports. */
export type NodeRates = Record<RateCounter, number>;

/** The part of a node's report that rates are computed from. */
export type CounterReport = Pick<FleetNode, RateCounter | 'startedAt' | 'reportedAt'>;

/**
 * The per-second rate of one counter between two reports of a node, on the
 * node's own clock (`reportedAt`), so the gateway's and the browser's clocks
 * never skew it. A node that restarted in between (a new `startedAt`, or a
 * total that went down) counted from zero since its start, as Prometheus'
 * `rate()` assumes: the new total over the time since the restart (or since
 * the previous report, whichever is shorter), never a negative rate.
 * Undefined when no time passed (the same report seen twice).
 */
export function counterRate(prev: CounterReport, next: CounterReport, counter: RateCounter): number | undefined {
  const restarted = next.startedAt !== prev.startedAt || next[counter] < prev[counter];
  const since = restarted ? Math.max(prev.reportedAt, next.startedAt) : prev.reportedAt;
  const elapsedMs = next.reportedAt - since;
  if (!(elapsedMs > 0)) return undefined;
  const increase = restarted ? next[counter] : next[counter] - prev[counter];
  return (increase * 1000) / elapsedMs;
}

/** Every counter's rate between two reports, or undefined when they are the same report (or time went backwards). */
export function nodeRates(prev: CounterReport, next: CounterReport): NodeRates | undefined {
  if (!(next.reportedAt > prev.reportedAt) && next.startedAt === prev.startedAt) return undefined;
  const rates = {} as NodeRates;
  for (const counter of RATE_COUNTERS) {
    const rate = counterRate(prev, next, counter);
    if (rate === undefined) return undefined;
    rates[counter] = rate;
  }
  return rates;
}
