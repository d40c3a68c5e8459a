import type { BenchConfig } from '../config';
import type { BenchUser } from '../env/parley-api';
import { cpuOf, usageBetween, type LoopDelay, type ServerStats } from '../env/proc-stats';
import type { RelayCounter } from '../env/parley-fleet';
import { mergeEncoded, newHistogram, nowMs, recordMs, summarize, type LatencySummary } from '../load/histogram';
import { deal, type WorkerPool } from '../load/pool';
import type { CollectResult, OpenResult, SenderSpec, SendResult, SessionSpec } from '../load/protocol';

/** A system under test: Parley or the baseline. */
export interface Target {
  name: 'parley' | 'baseline';
  nodeUrls: string[];
  /** Process-name prefixes of its application servers (CPU that "serves"). */
  serverPrefixes: string[];
  /** Process-name prefixes of its datastores. */
  storePrefixes: string[];
  session(user: BenchUser, node: number, key: string, groups?: string[]): SessionSpec;
}

export interface BenchContext {
  cfg: BenchConfig;
  pool: WorkerPool;
  stats: ServerStats;
  /** Relay frames counted over every gateway. */
  relay: RelayCounter;
  gatewayUrl: string;
  users: BenchUser[];
  parley: Target;
  baseline: Target;
  log(msg: string): void;
  /** When set, CPU profiles of the Parley nodes are taken during these step ids. */
  profileSteps: Set<string>;
  profiles: Record<string, Record<string, string>>;
}

/** Which worker holds each open session. */
export type Placement = Map<string, number>;

export interface OpenSummary {
  opened: number;
  failed: number;
  errors: Record<string, number>;
  elapsedMs: number;
  handshakesPerSec: number;
  handshake: LatencySummary;
}

export async function openSessions(ctx: BenchContext, specs: SessionSpec[], placement: Placement): Promise<OpenSummary> {
  const perWorker = deal(specs, ctx.pool.size);
  specs.forEach((s, i) => placement.set(s.key, i % ctx.pool.size)); // the worker deal() gave it
  const results = await ctx.pool.each<OpenResult>((w) => ({ op: 'open', sessions: perWorker[w] ?? [], concurrency: ctx.cfg.connectConcurrency }));
  const errors: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
  const opened = results.reduce((a, r) => a + r.opened, 0);
  const elapsedMs = Math.max(...results.map((r) => r.elapsedMs));
  return {
    opened,
    failed: results.reduce((a, r) => a + r.failed, 0),
    errors,
    elapsedMs,
    handshakesPerSec: opened / (elapsedMs / 1000),
    handshake: summarize(mergeEncoded(results.map((r) => r.handshake))),
  };
}

export async function closeAll(ctx: BenchContext, placement: Placement): Promise<void> {
  await ctx.pool.all({ op: 'close' });
  placement.clear();
  // Let the servers process the disconnects before the next measurement.
  await sleep(1500);
}

export interface StepOptions {
  stepId: string;
  target: Target;
  senders: SenderSpec[];
  placement: Placement;
  ratePerSec: number;
  durationMs: number;
  settleMs: number;
  trackLast: boolean;
  /** Sessions per message expected to receive it, the sender's excluded (for the last-member figure). */
  expectedRemote?: number;
  /**
   * Nodes other than the sender's that hold a recipient of each message: the
   * relay figure's denominator. Default: every other node (rooms spread over
   * all of them); S2's pairs have their one recipient on one other node.
   */
  remoteNodesPerMessage?: number;
}

export interface StepResult {
  stepId: string;
  target: string;
  offeredRate: number;
  sent: number;
  acked: number;
  unacked: number;
  errors: Record<string, number>;
  saturated: boolean;
  ackedPerSec: number;
  deliveries: number;
  remoteDeliveries: number;
  /** Remote deliveries (to users other than the sender) per second. */
  deliveredPerSec: number;
  /** All deliveries (the sender's own sessions included) per second. */
  deliveriesPerSec: number;
  /** Send (scheduled) -> receive at the other users' sessions. */
  latency: LatencySummary;
  /** Send (scheduled) -> ack. */
  ack: LatencySummary;
  /** Per message: send -> arrival at its last recipient (only messages that reached every expected recipient). */
  lastMember?: LatencySummary & { complete: number; incomplete: number };
  serverCpuSeconds: number;
  storeCpuSeconds: number;
  deliveriesPerServerCpuSecond: number;
  deliveriesPerCpuSecondInclStores: number;
  cpuByProcess: Record<string, number>;
  /** The kernel's part of each process's CPU seconds. */
  systemCpuByProcess: Record<string, number>;
  /** read/write-type syscalls of each process during the step (absent in older result files). */
  ioSyscallsByProcess?: Record<string, number>;
  /** Main-thread wake-ups of each process during the step (absent in older result files). */
  wakeupsByProcess?: Record<string, number>;
  /** Event-loop delay of each server process during the step: how long a ready push or ack could wait for its turn. */
  loopDelayByProcess?: Record<string, LoopDelay>;
  relay?: { publishMessageNew: number; deliverMessageNew: number; framesPerMessagePerRemoteNode: number };
  /**
   * `server:resync` notices the step's sessions received (Parley): with relay
   * frames below 1.000 this says whether the sessions that missed a push were
   * told to sync (issue 16: no silent loss of a live push).
   */
  resync?: { notices: number; sessions: number };
}

/** One open-loop step: every worker sends its share on a fixed schedule; deliveries are recorded everywhere. */
export async function runStep(ctx: BenchContext, o: StepOptions): Promise<StepResult> {
  const byWorker = sendersByWorker(ctx.pool, o.senders, o.placement);
  await ctx.pool.all({ op: 'record', stepId: o.stepId, trackLast: o.trackLast });
  const profiling = ctx.profileSteps.has(o.stepId) && o.target.name === 'parley';
  if (profiling) await ctx.stats.startProfiles('parley:');
  ctx.relay.reset();
  const before = ctx.stats.snapshot();
  // Starts a new event-loop delay window in every server process.
  await ctx.stats.loopDelay();
  const startAt = nowMs() + 300;
  const sendResults = await ctx.pool.each<SendResult>((w) => {
    const senders = byWorker[w] ?? [];
    const ratePerSec = (o.ratePerSec * senders.length) / o.senders.length;
    return {
      op: 'send',
      stepId: o.stepId,
      senders,
      ratePerSec,
      startAt,
      durationMs: o.durationMs,
      settleMs: o.settleMs,
      maxOutstanding: Math.max(50, Math.ceil(ratePerSec * 2)),
    };
  });
  // Pushes may trail the acks a little.
  await sleep(300);
  const after = ctx.stats.snapshot();
  const loopDelay = await ctx.stats.loopDelay();
  const relayCounts = ctx.relay.counts();
  if (profiling) ctx.profiles[o.stepId] = await ctx.stats.stopProfiles('parley:');
  const collected = await ctx.pool.all<CollectResult>({ op: 'collect', stepId: o.stepId });

  const usage = usageBetween(before, after);
  const serverCpu = cpuOf(usage, o.target.serverPrefixes);
  const storeCpu = cpuOf(usage, o.target.storePrefixes);
  const sent = sum(sendResults.map((r) => r.sent));
  const acked = sum(sendResults.map((r) => r.acked));
  const deliveries = sum(collected.map((c) => c.deliveries));
  const remoteDeliveries = sum(collected.map((c) => c.remoteDeliveries));
  const lastAt = Math.max(...collected.map((c) => c.lastAt));
  const windowSec = Math.max(o.durationMs, lastAt - startAt) / 1000;
  const errors: Record<string, number> = {};
  for (const r of sendResults) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;

  const result: StepResult = {
    stepId: o.stepId,
    target: o.target.name,
    offeredRate: o.ratePerSec,
    sent,
    acked,
    unacked: sum(sendResults.map((r) => r.unacked)),
    errors,
    saturated: sendResults.some((r) => r.saturated),
    ackedPerSec: acked / windowSec,
    deliveries,
    remoteDeliveries,
    deliveredPerSec: remoteDeliveries / windowSec,
    deliveriesPerSec: deliveries / windowSec,
    latency: summarize(mergeEncoded(collected.map((c) => c.latency))),
    ack: summarize(mergeEncoded(sendResults.map((r) => r.ack))),
    serverCpuSeconds: serverCpu,
    storeCpuSeconds: storeCpu,
    deliveriesPerServerCpuSecond: deliveries / serverCpu,
    deliveriesPerCpuSecondInclStores: deliveries / (serverCpu + storeCpu),
    cpuByProcess: Object.fromEntries(Object.entries(usage).map(([k, v]) => [k, round(v.cpuSeconds, 2)])),
    systemCpuByProcess: Object.fromEntries(Object.entries(usage).map(([k, v]) => [k, round(v.systemSeconds, 2)])),
    ioSyscallsByProcess: Object.fromEntries(Object.entries(usage).map(([k, v]) => [k, v.ioSyscalls])),
    wakeupsByProcess: Object.fromEntries(Object.entries(usage).map(([k, v]) => [k, v.wakeups])),
    loopDelayByProcess: loopDelay,
  };
  if (o.trackLast && o.expectedRemote !== undefined) {
    const merged = new Map<string, [number, number]>();
    for (const c of collected) {
      for (const [id, [lat, count]] of Object.entries(c.perMessage ?? {})) {
        const prior = merged.get(id);
        if (prior) {
          prior[0] = Math.max(prior[0], lat);
          prior[1] += count;
        } else merged.set(id, [lat, count]);
      }
    }
    const h = newHistogram();
    let complete = 0;
    for (const [lat, count] of merged.values()) {
      if (count >= o.expectedRemote) {
        complete++;
        recordMs(h, lat);
      }
    }
    result.lastMember = { ...summarize(h), complete, incomplete: acked - complete };
  }
  if (o.target.name === 'parley') {
    const publish = sum(Object.values(relayCounts.publish).map((r) => r['message:new'] ?? 0));
    const deliver = sum(Object.values(relayCounts.deliver).map((r) => r['message:new'] ?? 0));
    const remoteNodes = o.remoteNodesPerMessage ?? o.target.nodeUrls.length - 1;
    result.relay = {
      publishMessageNew: publish,
      deliverMessageNew: deliver,
      framesPerMessagePerRemoteNode: acked > 0 && remoteNodes > 0 ? deliver / (acked * remoteNodes) : NaN,
    };
    result.resync = { notices: sum(collected.map((c) => c.resyncNotices)), sessions: sum(collected.map((c) => c.resyncSessions)) };
  }
  return result;
}

/** The senders split by the worker that holds each one's session: one list per worker of the pool. */
export function sendersByWorker(pool: WorkerPool, senders: readonly SenderSpec[], placement: Placement): SenderSpec[][] {
  const byWorker: SenderSpec[][] = Array.from({ length: pool.size }, () => []);
  for (const s of senders) {
    const w = placement.get(s.key);
    if (w === undefined) throw new Error(`sender ${s.key} has no open session`);
    const mine = byWorker[w];
    if (!mine) throw new Error(`sender ${s.key} is placed on worker ${w}; the pool has ${pool.size}`);
    mine.push(s);
  }
  return byWorker;
}

/** Neighbours paired up, (0, 1), (2, 3), …: an odd one out is left out. */
export function pairUp<T>(list: readonly T[]): [T, T][] {
  return list.flatMap((a, i): [T, T][] => {
    const b = list[i + 1];
    return i % 2 === 0 && b !== undefined ? [[a, b]] : [];
  });
}

/**
 * The `i`th of `list`, going round when `i` is past its end: node URLs and
 * accounts are handed out round-robin. An empty list is a setup error.
 */
export function roundRobin<T>(list: readonly T[], i: number, what: string): T {
  const item = list[i % list.length];
  if (item === undefined) throw new Error(`no ${what} to hand out`);
  return item;
}

export function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
