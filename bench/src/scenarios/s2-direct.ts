import type { SenderSpec } from '../load/protocol';
import { closeAll, openSessions, pairUp, runStep, type BenchContext, type Placement, type StepResult, type Target } from './common';

export interface S2Result {
  target: string;
  users: number;
  pairs: number;
  steps: StepResult[];
  /** Steps not run because an earlier one saturated. */
  skippedRates: number[];
  /** Sessions that did not open (S6: a token refused after a restart shows here). */
  sessionsFailed: number;
}

/**
 * S2 1:1: users in pairs, the two of a pair on different nodes, both sending
 * to each other; the rate steps up while the system keeps up. `warmupMs`: an
 * unreported step at the first rate first (S6: processes just started).
 */
export async function runS2(ctx: BenchContext, target: Target, warmupMs = 0): Promise<S2Result> {
  const { users: count, rates, stepMs, settleMs } = ctx.cfg.s2;
  const users = ctx.users.slice(0, count - (count % 2));
  const nodes = target.nodeUrls.length;
  const sessions = users.map((user, i) => ({ user, spec: target.session(user, (Math.floor(i / 2) + (i % 2)) % nodes, `s2.${target.name}.${i}`) }));
  const specs = sessions.map((s) => s.spec);
  const placement: Placement = new Map();
  ctx.log(`S2 ${target.name}: opening ${specs.length} sessions`);
  const open = await openSessions(ctx, specs, placement);
  if (open.failed > 0) ctx.log(`S2 ${target.name}: ${open.failed} sessions failed: ${JSON.stringify(open.errors)}`);
  const senders: SenderSpec[] = [];
  for (const [a, b] of pairUp(sessions)) {
    senders.push({ key: a.spec.key, to: { type: 'user', id: b.user.id } });
    senders.push({ key: b.spec.key, to: { type: 'user', id: a.user.id } });
  }
  const first = rates[0];
  if (warmupMs > 0 && first !== undefined) {
    ctx.log(`S2 ${target.name}: warming up at ${first} msgs/s for ${warmupMs / 1000} s`);
    await runStep(ctx, { stepId: `s2-${target.name}-warmup`, target, senders, placement, ratePerSec: first, durationMs: warmupMs, settleMs, trackLast: false, remoteNodesPerMessage: 1 });
  }
  const steps: StepResult[] = [];
  const skippedRates: number[] = [];
  for (const rate of rates) {
    if (steps.some((s) => s.saturated)) {
      skippedRates.push(rate);
      continue;
    }
    ctx.log(`S2 ${target.name}: ${rate} msgs/s for ${stepMs / 1000} s`);
    steps.push(
      await runStep(ctx, {
        stepId: `s2-${target.name}-${rate}`,
        target,
        senders,
        placement,
        ratePerSec: rate,
        durationMs: stepMs,
        settleMs,
        trackLast: false,
        // A pair's two users are on two different nodes.
        remoteNodesPerMessage: 1,
      }),
    );
  }
  await closeAll(ctx, placement);
  return { target: target.name, users: users.length, pairs: users.length / 2, steps, skippedRates, sessionsFailed: open.failed };
}
