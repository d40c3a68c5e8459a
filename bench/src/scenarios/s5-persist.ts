import type { BlastResult } from '../load/protocol';
import { mergeEncoded, summarize, type LatencySummary } from '../load/histogram';
import { cpuOf, usageBetween } from '../env/proc-stats';
import { closeAll, openSessions, pairUp, round, sendersByWorker, sum, type BenchContext, type Placement } from './common';

export interface S5Result {
  senders: number;
  window: number;
  seconds: number;
  stored: number;
  storedPerSec: number;
  errors: Record<string, number>;
  ack: LatencySummary;
  serverCpuSeconds: number;
  storeCpuSeconds: number;
  cpuByProcess: Record<string, number>;
}

/** S5 persistence: closed loop through the real send path (validate, authorize, commit, ack, push). */
export async function runS5(ctx: BenchContext): Promise<S5Result> {
  const t = ctx.parley;
  const { senders: count, window, durationMs } = ctx.cfg.s5;
  const users = ctx.users.slice(0, count - (count % 2));
  const sessions = users.map((user, i) => ({ user, spec: t.session(user, (Math.floor(i / 2) + (i % 2)) % t.nodeUrls.length, `s5.${i}`) }));
  const placement: Placement = new Map();
  await openSessions(ctx, sessions.map((s) => s.spec), placement);
  // Each user of a pair sends to the other.
  const senders = pairUp(sessions).flatMap(([a, b]) => [
    { key: a.spec.key, to: { type: 'user' as const, id: b.user.id } },
    { key: b.spec.key, to: { type: 'user' as const, id: a.user.id } },
  ]);
  const byWorker = sendersByWorker(ctx.pool, senders, placement);
  ctx.log(`S5: ${users.length} senders x ${window} in flight for ${durationMs / 1000} s`);
  const profiling = ctx.profileSteps.has('s5-parley');
  if (profiling) await ctx.stats.startProfiles('parley:');
  const before = ctx.stats.snapshot();
  const results = await ctx.pool.each<BlastResult>((w) => ({ op: 'blast', stepId: 's5', senders: byWorker[w] ?? [], window, durationMs }));
  const usage = usageBetween(before, ctx.stats.snapshot());
  if (profiling) ctx.profiles['s5-parley'] = await ctx.stats.stopProfiles('parley:');
  await closeAll(ctx, placement);
  const errors: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
  const stored = sum(results.map((r) => r.acked));
  const seconds = Math.max(...results.map((r) => r.elapsedMs)) / 1000;
  return {
    senders: users.length,
    window,
    seconds: round(seconds, 2),
    stored,
    storedPerSec: round(stored / seconds),
    errors,
    ack: summarize(mergeEncoded(results.map((r) => r.ack))),
    serverCpuSeconds: round(cpuOf(usage, t.serverPrefixes), 2),
    storeCpuSeconds: round(cpuOf(usage, t.storePrefixes), 2),
    cpuByProcess: Object.fromEntries(Object.entries(usage).map(([k, v]) => [k, round(v.cpuSeconds, 2)])),
  };
}
