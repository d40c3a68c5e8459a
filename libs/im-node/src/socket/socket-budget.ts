import type { Clock } from '@parley/domain';
import type { ErrorBody } from '@parley/protocol';
import { COMMAND_COSTS } from './command-costs';

export interface SocketBudgetOptions {
  /** Tokens a socket may spend at once after a quiet spell (a reconnect's sync burst must fit). @default 200 */
  burst: number;
  /** Tokens that come back per second. @default 40 */
  ratePerSec: number;
}

/** The defaults, written once (DEFAULT_IM_NODE and the app's config reuse them). */
export const DEFAULT_SOCKET_BUDGET: Readonly<SocketBudgetOptions> = Object.freeze({ burst: 200, ratePerSec: 40 });

/**
 * The command budget of each user's sockets on this node, one token bucket
 * per user (not per socket: reconnecting or opening more sockets must not
 * multiply it), written as GCRA: the only state is the time the bucket is
 * full again, which each command pushes later by its cost. A command that
 * would push it more than `burst` tokens past now is refused and takes
 * nothing, so a flooder still gets the refill rate and no more.
 *
 * One number per user in a map that forgets full buckets: a bucket full
 * again is the same as none, so a sweep (at most once per refill time, run
 * by a charge: no timer) drops them, and the map holds only users who spent
 * tokens within about two refill times.
 */
export class SocketBudget {
  private readonly msPerToken: number;
  private readonly toleranceMs: number;
  /** userId → when that user's bucket is full again (ms on the node's clock). */
  private readonly fullAt = new Map<string, number>();
  private nextSweepAt = -Infinity;

  constructor(
    private readonly clock: Clock,
    options: SocketBudgetOptions,
  ) {
    if (!(options.ratePerSec > 0)) throw new Error(`socket budget: ratePerSec must be > 0, got ${options.ratePerSec}`);
    const dearest = Math.max(...Object.values(COMMAND_COSTS));
    // A bucket smaller than a command's cost would refuse that command forever.
    if (!(options.burst >= dearest)) throw new Error(`socket budget: burst must be at least ${dearest} (the dearest command), got ${options.burst}`);
    this.msPerToken = 1000 / options.ratePerSec;
    this.toleranceMs = options.burst * this.msPerToken;
  }

  /** Takes `cost` tokens from the user's bucket; undefined when the command may run, else the ms until it could. */
  charge(userId: string, cost: number): number | undefined {
    const now = this.clock.now();
    this.sweep(now);
    const fullAt = Math.max(this.fullAt.get(userId) ?? now, now) + cost * this.msPerToken;
    const over = fullAt - now - this.toleranceMs;
    if (over > 0) return Math.ceil(over);
    this.fullAt.set(userId, fullAt);
    return undefined;
  }

  /** Users whose bucket is not full (what the node holds). */
  get size(): number {
    return this.fullAt.size;
  }

  private sweep(now: number): void {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + this.toleranceMs;
    for (const [userId, fullAt] of this.fullAt) if (fullAt <= now) this.fullAt.delete(userId);
  }
}

/** The ack body of a command refused by its socket's budget. */
export function overBudget(retryAfterMs: number): ErrorBody {
  return { code: 'RATE_LIMITED', message: 'too many commands from your connections; slow down', retryAfterMs };
}
