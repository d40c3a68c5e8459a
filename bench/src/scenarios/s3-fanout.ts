import { createGroup, type BenchUser } from '../env/parley-api';
import type { SenderSpec, SessionSpec } from '../load/protocol';
import { closeAll, openSessions, roundRobin, runStep, type BenchContext, type Placement, type StepResult, type Target } from './common';

export interface S3Room {
  members: number;
  rooms: number;
  ratePerSec: number;
  /** Member sessions per room actually reached (accounts x sessions per account). */
  memberSessions: number;
  sessionsPerAccount: number;
  /** Sessions that did not open. */
  sessionsFailed: number;
  note?: string;
  step: StepResult;
}

export interface S3Result {
  target: string;
  rooms: S3Room[];
}

const SENDERS_PER_ROOM = 10;

/** Parley groups made by an earlier run of the same rooms (S6 reuses them after each restart), by room index. */
export type GroupCache = Map<string, { groupId: string; memberCount: number }>;

/**
 * S3 group fan-out: rooms spread over the nodes, a few members of each
 * posting on a fixed schedule. `groups`: reuse (and fill) a cache of the
 * Parley groups instead of creating new ones. `warmupMs`: an unreported step
 * per room shape first (S6: processes just started). With several targets
 * (Parley and the baseline), each room shape runs on each in turn before the
 * next shape.
 */
export async function runS3(ctx: BenchContext, targets: readonly Target[], groups?: GroupCache, warmupMs = 0): Promise<S3Result[]> {
  const results = targets.map((target): S3Result => ({ target: target.name, rooms: [] }));
  let offset = 0;
  for (const [index, cfg] of ctx.cfg.s3.rooms.entries()) {
    if (offset + cfg.members * cfg.rooms > ctx.users.length) offset = 0;
    // Each room shape on each target in turn: the steps a ratio compares are taken side by side.
    for (const [t, target] of targets.entries()) results[t]?.rooms.push(await runRoomShape(ctx, target, index, cfg, offset, groups, warmupMs));
    offset += cfg.members * cfg.rooms;
  }
  return results;
}

type RoomShape = BenchContext['cfg']['s3']['rooms'][number];

/** Room shape `index` (`cfg`) on one target, its members the accounts from `start` on. */
async function runRoomShape(ctx: BenchContext, target: Target, index: number, cfg: RoomShape, start: number, groups: GroupCache | undefined, warmupMs: number): Promise<S3Room> {
  let offset = start;
  const specs: SessionSpec[] = [];
  const senders: SenderSpec[] = [];
  let sessionsPerAccount = 1;
  let memberSessions = cfg.members;
  let note: string | undefined;
  ctx.log(`S3 ${target.name}: ${cfg.rooms} room(s) of ${cfg.members}`);
  for (let r = 0; r < cfg.rooms; r++) {
    const members = ctx.users.slice(offset, offset + cfg.members);
    offset += cfg.members;
    let groupId = `bench-${index}-${r}`;
    let accounts = members.length;
    if (target.name === 'parley') {
      const [owner, ...others] = members;
      if (!owner) throw new Error(`S3: no accounts to put in room ${index}.${r}`);
      const cacheKey = `${index}.${r}.${cfg.members}`;
      const created = groups?.get(cacheKey) ?? (await createGroup(roundRobin(target.nodeUrls, 0, 'node URL'), owner, others, groupId));
      groups?.set(cacheKey, { groupId: created.groupId, memberCount: created.memberCount });
      groupId = created.groupId;
      // The group's members in the order they were added: the first memberCount.
      accounts = Math.min(created.memberCount, members.length);
      if ('note' in created && created.note) ctx.log(`S3: ${created.note}`);
    }
    // Without a way to add more than group:create allows, reach the member
    // count with several sessions per account (said in the report).
    sessionsPerAccount = Math.ceil(cfg.members / accounts);
    memberSessions = accounts * sessionsPerAccount;
    if (sessionsPerAccount > 1) note = `${accounts} accounts x ${sessionsPerAccount} sessions (protocol allows ${accounts} members per group here)`;
    const inGroup = members.slice(0, accounts);
    inGroup.forEach((u: BenchUser, i) => {
      for (let k = 0; k < sessionsPerAccount; k++) {
        const key = `s3.${target.name}.${index}.${r}.${i}.${k}`;
        specs.push(target.session(u, (i + k) % target.nodeUrls.length, key, [groupId]));
        if (k === 0 && i < SENDERS_PER_ROOM) senders.push({ key, to: { type: 'group', id: groupId } });
      }
    });
  }
  const placement: Placement = new Map();
  const open = await openSessions(ctx, specs, placement);
  if (open.failed > 0) ctx.log(`S3 ${target.name}: ${open.failed} sessions failed: ${JSON.stringify(open.errors)}`);
  if (warmupMs > 0) {
    ctx.log(`S3 ${target.name}: warming up for ${warmupMs / 1000} s`);
    await runStep(ctx, { stepId: `s3-${target.name}-${cfg.members}-warmup`, target, senders, placement, ratePerSec: cfg.ratePerSec, durationMs: warmupMs, settleMs: ctx.cfg.s3.settleMs, trackLast: false });
  }
  const step = await runStep(ctx, {
    stepId: `s3-${target.name}-${cfg.members}`,
    target,
    senders,
    placement,
    ratePerSec: cfg.ratePerSec,
    durationMs: ctx.cfg.s3.stepMs,
    settleMs: ctx.cfg.s3.settleMs,
    trackLast: true,
    expectedRemote: memberSessions - sessionsPerAccount,
  });
  await closeAll(ctx, placement);
  return { members: cfg.members, rooms: cfg.rooms, ratePerSec: cfg.ratePerSec, memberSessions, sessionsPerAccount, sessionsFailed: open.failed, note, step };
}
