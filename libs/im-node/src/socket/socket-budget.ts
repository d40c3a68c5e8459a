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

/** Where a socket keeps its budget: one number in `socket.data`, no object of its own. */
export interface BudgetHolder {
  /**
   * When the bucket will be full again (ms on the node's clock); absent: full.
   * Everything else follows from the options (GCRA).
   */
  budgetFullAt?: number;
}

/**
 * A token bucket per socket, written as GCRA: the only state is the time
 * the bucket is full again, which each command pushes later by its cost.
 * A command that would push it more than `burst` tokens past now is
 * refused and takes nothing, so a flooder still gets the refill rate and no
 * more. No timers, no map: a socket's state dies with its `data`.
 */
export class SocketBudget {
  private readonly msPerToken: number;
  private readonly toleranceMs: number;

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

  /** Takes `cost` tokens; undefined when the command may run, else the ms until it could. */
  charge(holder: BudgetHolder, cost: number): number | undefined {
    const now = this.clock.now();
    const fullAt = Math.max(holder.budgetFullAt ?? now, now) + cost * this.msPerToken;
    const over = fullAt - now - this.toleranceMs;
    if (over > 0) return Math.ceil(over);
    holder.budgetFullAt = fullAt;
    return undefined;
  }
}

/** The ack body of a command refused by its socket's budget. */
export function overBudget(retryAfterMs: number): ErrorBody {
  return { code: 'RATE_LIMITED', message: 'too many commands on this connection; slow down', retryAfterMs };
}
