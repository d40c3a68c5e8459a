import type { Fleet } from '@parley/protocol';
import { RATE_COUNTERS, nodeRates, type CounterReport, type NodeRates, type RateCounter } from './fleet-rates';

/** How much of the past the charts keep: 5 minutes (150 polls at one every 2 s). */
export const HISTORY_WINDOW_MS = 5 * 60_000;

/** What is drawn per node: gauges as reported, counters as per-second rates. */
export type SeriesKey = 'sockets' | 'users' | RateCounter;
export const SERIES_KEYS: readonly SeriesKey[] = ['sockets', 'users', ...RATE_COUNTERS];

/** One value per sample time; null where the node was not reported or had no rate yet. */
export type Column = readonly (number | null)[];
export type NodeSeries = Readonly<Record<SeriesKey, Column>>;

export interface NodeLatest {
  /** The report the rates were last computed from. */
  report: CounterReport;
  /** Rates between the two newest distinct reports; undefined until a second one came. */
  rates?: NodeRates;
}

/**
 * The last few minutes of the fleet, as columns aligned on the sample times
 * (the shape uPlot draws). Immutable: every sample makes a new history.
 */
export interface FleetHistory {
  /** Sample times in epoch seconds (the answering gateway's clock), oldest first. */
  times: readonly number[];
  /** Per node id, in the order nodes were first seen. */
  series: ReadonlyMap<string, NodeSeries>;
  latest: ReadonlyMap<string, NodeLatest>;
}

export const EMPTY_HISTORY: FleetHistory = { times: [], series: new Map(), latest: new Map() };

const nulls = (n: number): (number | null)[] => new Array<number | null>(n).fill(null);

/**
 * The history with one more poll of the fleet. Each node's rates come from
 * its two newest distinct reports; a poll that sees the same report again
 * keeps the rates it had (nodes report on their own beat, not on ours). A
 * poll not newer than the last is ignored; samples older than `windowMs`
 * before the newest go, and so does a node with nothing left in the window.
 */
export function recordFleet(history: FleetHistory, fleet: Fleet, windowMs = HISTORY_WINDOW_MS): FleetHistory {
  const at = fleet.at / 1000;
  const lastAt = history.times[history.times.length - 1];
  if (lastAt !== undefined && at <= lastAt) return history;

  const latest = new Map<string, NodeLatest>();
  const values = new Map<string, Record<SeriesKey, number | null>>();
  for (const node of fleet.nodes) {
    const before = history.latest.get(node.nodeId);
    const fresh = before ? nodeRates(before.report, node) : undefined;
    const now: NodeLatest = fresh ? { report: node, rates: fresh } : (before ?? { report: node });
    latest.set(node.nodeId, now);
    const row = { sockets: node.sockets, users: node.users } as Record<SeriesKey, number | null>;
    for (const counter of RATE_COUNTERS) row[counter] = now.rates?.[counter] ?? null;
    values.set(node.nodeId, row);
  }

  // Drop what fell out of the window, then append this sample to every column.
  const times = [...history.times, at];
  const drop = times.findIndex((t) => t >= at - windowMs / 1000);
  const keepFrom = Math.max(0, drop);
  const series = new Map<string, NodeSeries>();
  const nodeIds = new Set([...history.series.keys(), ...values.keys()]);
  for (const nodeId of nodeIds) {
    const old = history.series.get(nodeId);
    const row = values.get(nodeId);
    const next = {} as Record<SeriesKey, Column>;
    let anyValue = false;
    for (const key of SERIES_KEYS) {
      const column = [...(old?.[key] ?? nulls(history.times.length)), row?.[key] ?? null].slice(keepFrom);
      anyValue ||= column.some((v) => v !== null);
      next[key] = column;
    }
    if (anyValue || row) series.set(nodeId, next);
  }
  return { times: times.slice(keepFrom), series, latest };
}

/** The uPlot data of one chart: the times, then one column per (node, key), in the order given. */
export function chartData(history: FleetHistory, columns: readonly { nodeId: string; key: SeriesKey }[]): [number[], ...(number | null)[][]] {
  const empty = nulls(history.times.length);
  return [[...history.times], ...columns.map(({ nodeId, key }) => [...(history.series.get(nodeId)?.[key] ?? empty)])];
}
