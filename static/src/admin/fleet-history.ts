import type { Fleet, FleetNode } from '@parley/protocol';
import { RATE_COUNTERS, nodeRates, type CounterReport, type NodeRates, type RateCounter } from './fleet-rates';

/** The fleet is polled this often; the rates are computed from the totals of successive polls. */
export const POLL_EVERY_MS = 2_000;

/** How much of the past the charts keep: 5 minutes (150 polls at one every 2 s). */
export const HISTORY_WINDOW_MS = 5 * 60_000;

/**
 * A node whose report has not moved for longer than this (two polls; nodes
 * report every 2 s) is silent: hung, or cut off from the gateway that
 * answers. Its last rates are no longer shown.
 */
export const SILENT_AFTER_MS = 2 * POLL_EVERY_MS;

/** What is drawn per node: gauges as reported, counters as per-second rates. */
export type SeriesKey = 'sockets' | 'users' | RateCounter;
export const SERIES_KEYS: readonly SeriesKey[] = ['sockets', 'users', ...RATE_COUNTERS];

/** One value per sample time; null where the node was not reported or had no rate yet. */
export type Column = readonly (number | null)[];
export type NodeSeries = Readonly<Record<SeriesKey, Column>>;

export interface NodeLatest {
  /** The newest report seen: the next rates are computed from it. */
  report: CounterReport;
  /** When the browser first saw `report` (its clock, epoch ms): how long the node has said nothing new. */
  seenAt: number;
  /** Stale, or its report has not moved for longer than SILENT_AFTER_MS: its last rates are old news. */
  silent: boolean;
  /**
   * Rates between the two newest distinct reports, as shown in the table,
   * the totals and the charts; undefined until a second report came and
   * while the node is silent (a dead node's last msgs/s is not its rate).
   */
  rates?: NodeRates;
}

/**
 * The last few minutes of the fleet, as columns aligned on the sample times
 * (the shape uPlot draws). Immutable: every sample makes a new history.
 */
export interface FleetHistory {
  /**
   * Sample times in epoch seconds, oldest first: when the browser received
   * each answer. Not the gateway's `at`: polls through a load balancer land
   * on gateways whose clocks differ, and one behind would have its samples
   * dropped or drawn out of order.
   */
  times: readonly number[];
  /** Per node id, in the order nodes were first seen. */
  series: ReadonlyMap<string, NodeSeries>;
  latest: ReadonlyMap<string, NodeLatest>;
}

export const EMPTY_HISTORY: FleetHistory = { times: [], series: new Map(), latest: new Map() };

const nulls = (n: number): (number | null)[] => new Array<number | null>(n).fill(null);

export interface RecordOptions {
  /** @default HISTORY_WINDOW_MS */
  windowMs?: number;
  /** @default SILENT_AFTER_MS */
  silentAfterMs?: number;
}

/**
 * The history with one more answer of the fleet, received by the browser at
 * `receivedAt` (epoch ms). Each node's rates come from its two newest
 * distinct reports; a poll that sees the same report again (nodes report on
 * their own beat, not on ours), or an older one (another gateway's view),
 * keeps the rates it had, until the node falls silent: health `stale`, or no
 * new report for longer than `silentAfterMs`. An answer received no later
 * than the last is ignored; samples older than `windowMs` before the newest
 * go, and so does a node with nothing left in the window.
 */
export function recordFleet(history: FleetHistory, fleet: Fleet, receivedAt: number, options: RecordOptions = {}): FleetHistory {
  const { windowMs = HISTORY_WINDOW_MS, silentAfterMs = SILENT_AFTER_MS } = options;
  const at = receivedAt / 1000;
  const lastAt = history.times[history.times.length - 1];
  if (lastAt !== undefined && at <= lastAt) return history;

  const latest = new Map<string, NodeLatest>();
  const values = new Map<string, Record<SeriesKey, number | null>>();
  for (const node of fleet.nodes) {
    const now = nextLatest(history.latest.get(node.nodeId), node, receivedAt, silentAfterMs);
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

/** A node's latest after one more report of it: new rates when the report moved, none while it is silent. */
function nextLatest(before: NodeLatest | undefined, node: FleetNode, receivedAt: number, silentAfterMs: number): NodeLatest {
  const fresh = before ? nodeRates(before.report, node) : undefined;
  if (!before || fresh) return { report: node, seenAt: receivedAt, silent: node.health === 'stale', rates: node.health === 'stale' ? undefined : fresh };
  const silent = node.health === 'stale' || receivedAt - before.seenAt > silentAfterMs;
  // Silence clears the rates for good: the next rates need a new report, which comes with fresh ones.
  return { report: before.report, seenAt: before.seenAt, silent, rates: silent ? undefined : before.rates };
}

/** The uPlot data of one chart: the times, then one column per (node, key), in the order given. */
export function chartData(history: FleetHistory, columns: readonly { nodeId: string; key: SeriesKey }[]): [number[], ...(number | null)[][]] {
  const empty = nulls(history.times.length);
  return [[...history.times], ...columns.map(({ nodeId, key }) => [...(history.series.get(nodeId)?.[key] ?? empty)])];
}
