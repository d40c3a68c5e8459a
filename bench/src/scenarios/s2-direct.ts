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

/** One system's S2 sessions, open for the whole scenario, and its result so far. */
interface S2Side {
  target: Target;
  senders: SenderSpec[];
  placement: Placement;
  result: S2Result;
}

async function openSide(ctx: BenchContext, target: Target): Promise<S2Side> {
  const users = ctx.users.slice(0, ctx.cfg.s2.users - (ctx.cfg.s2.users % 2));
  const nodes = target.nodeUrls.length;
  const sessions = users.map((user, i) => ({ user, spec: target.session(user, (Math.floor(i / 2) + (i % 2)) % nodes, `s2.${target.name}.${i}`) }));
  const placement: Placement = new Map();
  ctx.log(`S2 ${target.name}: opening ${sessions.length} sessions`);
  const open = await openSessions(ctx, sessions.map((s) => s.spec), placement);
  if (open.failed > 0) ctx.log(`S2 ${target.name}: ${open.failed} sessions failed: ${JSON.stringify(open.errors)}`);
  const senders: SenderSpec[] = [];
  for (const [a, b] of pairUp(sessions)) {
    senders.push({ key: a.spec.key, to: { type: 'user', id: b.user.id } });
    senders.push({ key: b.spec.key, to: { type: 'user', id: a.user.id } });
  }
  const result: S2Result = { target: target.name, users: users.length, pairs: users.length / 2, steps: [], skippedRates: [], sessionsFailed: open.failed };
  return { target, senders, placement, result };
}

function stepOf(ctx: BenchContext, side: S2Side, stepId: string, rate: number, durationMs: number): Promise<StepResult> {
  const { target, senders, placement } = side;
  // A pair's two users are on two different nodes.
  return runStep(ctx, { stepId, target, senders, placement, ratePerSec: rate, durationMs, settleMs: ctx.cfg.s2.settleMs, trackLast: false, remoteNodesPerMessage: 1 });
}

/**
 * S2 1:1: users in pairs, the two of a pair on different nodes, both sending
 * to each other; the rate steps up while the system keeps up. With several
 * targets (Parley and the baseline), each rate runs on each target in turn
 * before the next rate, so the two steps a ratio compares are taken side by
 * side on the host, not minutes apart. `warmupMs`: an unreported step at the
 * first rate first (S6: processes just started).
 */
export async function runS2(ctx: BenchContext, targets: readonly Target[], warmupMs = 0): Promise<S2Result[]> {
  const { rates, stepMs } = ctx.cfg.s2;
  const sides: S2Side[] = [];
  for (const target of targets) sides.push(await openSide(ctx, target));
  const first = rates[0];
  for (const side of sides) {
    if (warmupMs <= 0 || first === undefined) continue;
    ctx.log(`S2 ${side.target.name}: warming up at ${first} msgs/s for ${warmupMs / 1000} s`);
    await stepOf(ctx, side, `s2-${side.target.name}-warmup`, first, warmupMs);
  }
  for (const rate of rates) {
    for (const side of sides) {
      const { target, result } = side;
      if (result.steps.some((s) => s.saturated)) {
        result.skippedRates.push(rate);
        continue;
      }
      ctx.log(`S2 ${target.name}: ${rate} msgs/s for ${stepMs / 1000} s`);
      result.steps.push(await stepOf(ctx, side, `s2-${target.name}-${rate}`, rate, stepMs));
    }
  }
  for (const side of sides) await closeAll(ctx, side.placement);
  return sides.map((side) => side.result);
}
