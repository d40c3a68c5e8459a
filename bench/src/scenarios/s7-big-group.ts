import { createGroup, refreshStaleTokens, registerUsers, type BenchUser } from '../env/parley-api';
import type { SenderSpec, SessionSpec } from '../load/protocol';
import { closeAll, openSessions, roundRobin, runStep, type BenchContext, type Placement, type StepResult } from './common';

export interface S7Result {
  members: number;
  /** The group's member count as the server reports it after creation. */
  memberCount: number;
  /** Members who were only invited and accepted (0 when all were the owner's friends). */
  invitationsAccepted: number;
  /** Accounts registered through REST for S7 alone, and how long that took. */
  extraAccounts: number;
  registerSeconds: number;
  /** Sessions open (one per member) when the step ran. */
  sessionsOpen: number;
  ratePerSec: number;
  step: StepResult;
  note?: string;
}

/**
 * S7, one 10,000-member group at 2 msgs/s (the case that breaks OpenIM's
 * fan-out): one session per member, spread round-robin over the IM nodes, a
 * few members posting. Reports whether every message reached every member
 * live and the latency to the last one. Accounts beyond the run's are
 * registered through the REST API (argon2, as a user would) for S7 only.
 */
export async function runS7(ctx: BenchContext): Promise<S7Result> {
  const { members: count, ratePerSec, senders: senderCount, stepMs, settleMs } = ctx.cfg.s7;
  const target = ctx.parley;
  const missing = Math.max(0, count - ctx.users.length);
  const regStart = Date.now();
  let extra: BenchUser[] = [];
  if (missing > 0) {
    ctx.log(`S7: registering ${missing} more accounts through the REST API`);
    extra = await registerUsers(ctx.gatewayUrl, missing, ctx.cfg.registerConcurrency, `s7${Date.now().toString(36)}`);
  }
  const registerSeconds = (Date.now() - regStart) / 1000;
  const members = [...ctx.users, ...extra].slice(0, count);
  const [owner, ...others] = members;
  if (!owner) throw new Error('S7: no accounts');
  // Registering thousands takes minutes on a small box: the first tokens may be near their 15-minute expiry.
  await refreshStaleTokens(ctx.gatewayUrl, members);
  ctx.log(`S7: creating a group of ${members.length}`);
  const created = await createGroup(roundRobin(target.nodeUrls, 0, 'node URL'), owner, others, `bench-s7-${count}`);
  if (created.note) ctx.log(`S7: ${created.note}`);
  if (created.memberCount !== members.length) ctx.log(`S7: the group has ${created.memberCount} members, ${members.length} were added`);
  const specs: SessionSpec[] = [];
  const senders: SenderSpec[] = [];
  members.forEach((u, i) => {
    const key = `s7.${i}`;
    specs.push(target.session(u, i % target.nodeUrls.length, key));
    if (i < senderCount) senders.push({ key, to: { type: 'group', id: created.groupId } });
  });
  await refreshStaleTokens(ctx.gatewayUrl, members);
  const placement: Placement = new Map();
  ctx.log(`S7: opening ${specs.length} sessions`);
  const open = await openSessions(ctx, specs, placement);
  if (open.failed > 0) ctx.log(`S7: ${open.failed} sessions failed: ${JSON.stringify(open.errors)}`);
  const step = await runStep(ctx, {
    stepId: `s7-${target.name}-${count}`,
    target,
    senders,
    placement,
    ratePerSec,
    durationMs: stepMs,
    settleMs,
    trackLast: true,
    // Every member but the sender: a session that failed to open or a member who did not join counts as not reached.
    expectedRemote: members.length - 1,
  });
  await closeAll(ctx, placement);
  return {
    members: members.length,
    memberCount: created.memberCount,
    invitationsAccepted: created.invitationsAccepted,
    extraAccounts: extra.length,
    registerSeconds: Math.round(registerSeconds * 10) / 10,
    sessionsOpen: open.opened,
    ratePerSec,
    step,
    note: open.failed > 0 ? `${open.failed} sessions failed to open: ${JSON.stringify(open.errors)}` : created.note,
  };
}
