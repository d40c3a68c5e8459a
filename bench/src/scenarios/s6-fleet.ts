import type { FleetShape } from '../env/parley-fleet';
import type { StepResult, BenchContext, Target } from './common';
import { runS2 } from './s2-direct';
import { runS3, type GroupCache } from './s3-fanout';

/** One fleet shape: the S2 step and the S3 room measured on it. */
export interface S6Shape extends FleetShape {
  s2: StepResult | undefined;
  s3: StepResult | undefined;
  /** S3 member sessions per room (the last-member figure counts them). */
  s3MemberSessions: number;
  /**
   * Sessions of S2 and S3 that did not open on this shape: the accounts'
   * tokens must stay valid across restarts (same JWT secret), so 0.
   */
  sessionsFailed: number;
}

export interface S6Result {
  s2Rate: number;
  s3Room: { members: number; rooms: number; ratePerSec: number };
  shapes: S6Shape[];
}

/**
 * S6, how cost grows with the fleet: the same S2 rate and S3 room shape on
 * each (IM nodes x gateways) shape. Only the Parley processes restart between
 * shapes (`restart` returns the target on the new fleet): the database, Redis,
 * accounts, friendships and groups stay, and so do the tokens (same JWT secret).
 */
export async function runS6(ctx: BenchContext, restart: (shape: FleetShape) => Promise<Target>): Promise<S6Result> {
  const { shapes, s2Rate, s3Room, stepMs, settleMs, warmupMs } = ctx.cfg.s6;
  const groups: GroupCache = new Map();
  const out: S6Shape[] = [];
  const scoped: BenchContext = {
    ...ctx,
    cfg: {
      ...ctx.cfg,
      s2: { ...ctx.cfg.s2, rates: [s2Rate], stepMs, settleMs },
      s3: { rooms: [s3Room], stepMs, settleMs },
    },
    // Steps of one shape are not profiled (their ids repeat over the shapes).
    profileSteps: new Set(),
  };
  for (const shape of shapes) {
    ctx.log(`S6: restarting Parley as ${shape.nodes} IM node(s) x ${shape.gateways} gateway(s)`);
    const target = await restart(shape);
    // Fresh processes: a warm-up step first, so each shape is measured warm as the other scenarios are.
    const [s2] = await runS2({ ...scoped, parley: target }, [target], warmupMs);
    const [s3] = await runS3({ ...scoped, parley: target }, [target], groups, warmupMs);
    const room = s3?.rooms[0];
    out.push({ ...shape, s2: s2?.steps[0], s3: room?.step, s3MemberSessions: room?.memberSessions ?? 0, sessionsFailed: (s2?.sessionsFailed ?? 0) + (room?.sessionsFailed ?? 0) });
  }
  return { s2Rate, s3Room, shapes: out };
}
