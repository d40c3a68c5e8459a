import { cpuOf, usageBetween } from '../env/proc-stats';
import type { LatencySummary } from '../load/histogram';
import { closeAll, openSessions, round, roundRobin, sleep, sum, type BenchContext, type Placement } from './common';

export interface S1Result {
  target: number;
  opened: number;
  failed: number;
  errors: Record<string, number>;
  held: number;
  /** Connections the per-connection figures are over: those opened after the first sample. */
  measuredConnections: number;
  /** Of the connections opened after the first sample. */
  rampSeconds: number;
  handshakesPerSec: number;
  handshake: LatencySummary;
  heapPerConnectionBytes: number;
  rssPerConnectionBytes: number;
  serverCpuSecondsDuringRamp: number;
  perNode: Record<
    string,
    {
      heapUsedBefore: number;
      heapUsedAfter: number;
      rssBefore: number;
      rssAfter: number;
      /** Sessions sent to this node (round-robin). */
      connections: number;
      heapPerConnectionBytes: number;
      rssPerConnectionBytes: number;
      /** External (Buffer) memory and V8 heap space sizes before and after: what the RSS delta is made of. */
      externalBefore: number;
      externalAfter: number;
      spacesBefore?: Record<string, number>;
      spacesAfter?: Record<string, number>;
    }
  >;
  accounts: number;
  sessionsPerAccount: number;
}

/**
 * S1 idle capacity: ramp to N connections over the nodes, hold them, measure
 * heap and RSS per connection. The first tenth of the connections is opened
 * before the "before" sample: the first burst of handshakes grows V8's young
 * generation to its working size (32 MiB per process here, whatever the
 * connection count), and a node whose young generation grew only after the
 * sample counted those 32 MiB against its connections (3.2 KB each of
 * 10,000). The figures are the cost of the other nine tenths: what each
 * further connection adds.
 */
export async function runS1(ctx: BenchContext): Promise<S1Result> {
  const { connections, holdMs } = ctx.cfg.s1;
  const t = ctx.parley;
  const users = ctx.users;
  const nodes = t.nodeUrls.length;
  const specs = Array.from({ length: connections }, (_, i) => t.session(roundRobin(users, i, 'account'), i % nodes, `s1.${i}`));
  // A whole number of rounds over the nodes, so each node's measured share is the same.
  const warmCount = Math.min(connections, Math.ceil(connections / 10 / nodes) * nodes);
  const nodeNames = ctx.stats.processes.filter((p) => p.name.startsWith('parley:im-')).map((p) => p.name);
  const placement: Placement = new Map();
  ctx.log(`S1: opening ${warmCount} connections before the first sample`);
  const warm = await openSessions(ctx, specs.slice(0, warmCount), placement);
  const heapBefore = await ctx.stats.heap();
  const before = ctx.stats.snapshot();
  ctx.log(`S1: opening ${connections - warmCount} more`);
  const open = await openSessions(ctx, specs.slice(warmCount), placement);
  const afterRamp = ctx.stats.snapshot();
  await sleep(holdMs);
  const counts = await ctx.pool.all<{ connected: number }>({ op: 'count' });
  const held = sum(counts.map((c) => c.connected));
  const heapAfter = await ctx.stats.heap();
  const rssAfter = ctx.stats.snapshot();
  // A node missing from a sample (its read failed) counts NaN, as ServerStats.snapshot and usageBetween do.
  const perNode: S1Result['perNode'] = {};
  // Session i went to node i % nodes; the fleet names node k `parley:im-<k+1>`.
  const measured = connections - warmCount;
  for (const n of nodeNames) {
    const k = Number(n.slice('parley:im-'.length)) - 1;
    const sent = Math.floor(measured / nodes) + (k < measured % nodes ? 1 : 0);
    const heapUsedBefore = heapBefore[n]?.heapUsed ?? Number.NaN;
    const heapUsedAfter = heapAfter[n]?.heapUsed ?? Number.NaN;
    const rssB = before[n]?.rssBytes ?? Number.NaN;
    const rssA = rssAfter[n]?.rssBytes ?? Number.NaN;
    perNode[n] = {
      heapUsedBefore,
      heapUsedAfter,
      rssBefore: rssB,
      rssAfter: rssA,
      connections: sent,
      heapPerConnectionBytes: Math.round((heapUsedAfter - heapUsedBefore) / Math.max(1, sent)),
      rssPerConnectionBytes: Math.round((rssA - rssB) / Math.max(1, sent)),
      externalBefore: heapBefore[n]?.external ?? Number.NaN,
      externalAfter: heapAfter[n]?.external ?? Number.NaN,
      spacesBefore: heapBefore[n]?.spaces,
      spacesAfter: heapAfter[n]?.spaces,
    };
  }
  const heapDelta = sum(Object.values(perNode).map((p) => p.heapUsedAfter - p.heapUsedBefore));
  const rssDelta = sum(Object.values(perNode).map((p) => p.rssAfter - p.rssBefore));
  // Held beyond the warm slice (a warm connection that dropped would count against the rest: none do here).
  const heldMeasured = Math.max(1, held - warm.opened);
  const cpu = cpuOf(usageBetween(before, afterRamp), t.serverPrefixes);
  await closeAll(ctx, placement);
  return {
    target: connections,
    opened: warm.opened + open.opened,
    failed: warm.failed + open.failed,
    errors: mergeCounts(warm.errors, open.errors),
    held,
    measuredConnections: heldMeasured,
    rampSeconds: round(open.elapsedMs / 1000, 2),
    handshakesPerSec: round(open.handshakesPerSec),
    handshake: open.handshake,
    heapPerConnectionBytes: Math.round(heapDelta / heldMeasured),
    rssPerConnectionBytes: Math.round(rssDelta / heldMeasured),
    serverCpuSecondsDuringRamp: round(cpu, 2),
    perNode,
    accounts: Math.min(users.length, connections),
    sessionsPerAccount: round(connections / Math.min(users.length, connections), 2),
  };
}

function mergeCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}
