import { cpuOf, usageBetween } from '../env/proc-stats';
import type { LatencySummary } from '../load/histogram';
import { closeAll, openSessions, round, roundRobin, sleep, sum, type BenchContext, type Placement } from './common';

export interface S1Result {
  target: number;
  opened: number;
  failed: number;
  errors: Record<string, number>;
  held: number;
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
    }
  >;
  accounts: number;
  sessionsPerAccount: number;
}

/** S1 idle capacity: ramp to N connections over the nodes, hold them, measure heap and RSS per connection. */
export async function runS1(ctx: BenchContext): Promise<S1Result> {
  const { connections, holdMs } = ctx.cfg.s1;
  const t = ctx.parley;
  const users = ctx.users;
  const specs = Array.from({ length: connections }, (_, i) => t.session(roundRobin(users, i, 'account'), i % t.nodeUrls.length, `s1.${i}`));
  const nodeNames = ctx.stats.processes.filter((p) => p.name.startsWith('parley:im-')).map((p) => p.name);
  const heapBefore = await ctx.stats.heap();
  const before = ctx.stats.snapshot();
  ctx.log(`S1: opening ${connections} connections`);
  const placement: Placement = new Map();
  const open = await openSessions(ctx, specs, placement);
  const afterRamp = ctx.stats.snapshot();
  await sleep(holdMs);
  const counts = await ctx.pool.all<{ connected: number }>({ op: 'count' });
  const held = sum(counts.map((c) => c.connected));
  const heapAfter = await ctx.stats.heap();
  const rssAfter = ctx.stats.snapshot();
  // A node missing from a sample (its read failed) counts NaN, as ServerStats.snapshot and usageBetween do.
  const perNode: S1Result['perNode'] = {};
  // Session i went to node i % nodes; the fleet names node k `parley:im-<k+1>`.
  const nodes = t.nodeUrls.length;
  for (const n of nodeNames) {
    const k = Number(n.slice('parley:im-'.length)) - 1;
    const sent = Math.floor(connections / nodes) + (k < connections % nodes ? 1 : 0);
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
    };
  }
  const heapDelta = sum(Object.values(perNode).map((p) => p.heapUsedAfter - p.heapUsedBefore));
  const rssDelta = sum(Object.values(perNode).map((p) => p.rssAfter - p.rssBefore));
  const cpu = cpuOf(usageBetween(before, afterRamp), t.serverPrefixes);
  await closeAll(ctx, placement);
  return {
    target: connections,
    opened: open.opened,
    failed: open.failed,
    errors: open.errors,
    held,
    rampSeconds: round(open.elapsedMs / 1000, 2),
    handshakesPerSec: round(open.handshakesPerSec),
    handshake: open.handshake,
    heapPerConnectionBytes: Math.round(heapDelta / Math.max(1, held)),
    rssPerConnectionBytes: Math.round(rssDelta / Math.max(1, held)),
    serverCpuSecondsDuringRamp: round(cpu, 2),
    perNode,
    accounts: Math.min(users.length, connections),
    sessionsPerAccount: round(connections / Math.min(users.length, connections), 2),
  };
}
