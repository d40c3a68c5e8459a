import type { Clock, Throttle, ThrottleFactory } from '@parley/domain';
import type { Logger } from '@parley/util';
import { FailOpenThrottle } from './fail-open-throttle';

export interface UserSendQuotaOptions {
  /** Messages one user may send per window, across every node of the cluster. @default 600 */
  points: number;
  /** The window, seconds. @default 60 */
  windowSec: number;
}

export const DEFAULT_USER_SEND_QUOTA: Readonly<UserSendQuotaOptions> = Object.freeze({ points: 600, windowSec: 60 });

/**
 * The cluster-wide per-user send limit (one counter per user, shared by
 * every node through the throttle engine: Redis in a cluster).
 *
 * Fails open, unlike the login throttles: while the counter store is
 * unreachable a send is let through with a warning. Sending never needed
 * Redis before, and the node's own limits (the command budget, the per-user
 * send limit of the node) still bound what one user can do meanwhile.
 */
export function createUserSendQuota(factory: ThrottleFactory, options: UserSendQuotaOptions, clock: Clock, logger: Logger): Throttle {
  const inner = factory.create({ name: 'user-send', points: options.points, durationSec: options.windowSec });
  return new FailOpenThrottle(inner, clock, logger, 'cluster send limit unavailable: sends pass on the node limits alone');
}
