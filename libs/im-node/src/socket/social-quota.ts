import type { Clock, ThrottleFactory } from '@parley/domain';
import type { CommandName, CommandPayload, ErrorBody } from '@parley/protocol';
import type { Logger } from '@parley/util';
import { COMMAND_COSTS } from './command-costs';
import { FailOpenThrottle } from './fail-open-throttle';

export interface UserSocialQuotaOptions {
  /** Points one user may spend per window on commands that reach other people, across the cluster. @default 600 */
  points: number;
  /** The window, seconds. @default 600 */
  windowSec: number;
}

export const DEFAULT_USER_SOCIAL_QUOTA: Readonly<UserSocialQuotaOptions> = Object.freeze({ points: 600, windowSec: 600 });

/** The commands that land on someone else's screen (or change who may reach whom), with their payloads. */
type SocialCommand = 'friend:request' | 'group:invite' | 'group:create' | 'group:join' | 'user:block';
const SOCIAL_COMMANDS: ReadonlySet<string> = new Set<SocialCommand>(['friend:request', 'group:invite', 'group:create', 'group:join', 'user:block']);

/**
 * What a social command spends: its command cost, plus one point per
 * person it invites (an invitation of 500 is not one of 1).
 */
export function socialCost(name: CommandName, payload: unknown): number | undefined {
  if (!SOCIAL_COMMANDS.has(name)) return undefined;
  const base = COMMAND_COSTS[name];
  if (name === 'group:invite') return base + (payload as CommandPayload<'group:invite'>).userIds.length;
  if (name === 'group:create') return base + ((payload as CommandPayload<'group:create'>).memberIds?.length ?? 0);
  return base;
}

/**
 * The cluster-wide per-user limit on commands that reach other people: one
 * counter per user shared by every node, so neither more sockets nor more
 * nodes multiply it (the command budget is per node). Fails open like the
 * send quota: the node's command budget still bounds a user meanwhile.
 */
export class UserSocialQuota {
  private readonly throttle: FailOpenThrottle;

  constructor(factory: ThrottleFactory, private readonly options: UserSocialQuotaOptions, clock: Clock, logger: Logger) {
    const inner = factory.create({ name: 'user-social', points: options.points, durationSec: options.windowSec });
    this.throttle = new FailOpenThrottle(inner, clock, logger, 'cluster social limit unavailable: requests and invitations pass on the node budget alone');
  }

  /** Spends what the command costs; undefined when it may run (or is not social), else the refusal. */
  async charge(userId: string, name: CommandName, payload: unknown): Promise<ErrorBody | undefined> {
    const cost = socialCost(name, payload);
    if (cost === undefined) return undefined;
    // More than a window holds can never pass: say so rather than a wait that would not help.
    if (cost > this.options.points) return { code: 'RATE_LIMITED', message: 'too many people at once; invite fewer', retryAfterMs: this.options.windowSec * 1000 };
    const decision = await this.throttle.consume(userId, cost);
    if (decision.ok) return undefined;
    return { code: 'RATE_LIMITED', message: 'too many requests and invitations; wait before sending more', retryAfterMs: decision.retryAfterMs };
  }
}
