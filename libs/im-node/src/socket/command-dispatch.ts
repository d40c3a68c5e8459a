import {
  COMMAND_NAMES,
  COMMAND_SCHEMAS,
  parseOrThrow,
  toParleyError,
  type Ack,
  type CommandName,
  type CommandResults,
} from '@parley/protocol';
import type { Clock } from '@parley/domain';
import type { Logger } from '@parley/util';
import { secondsSince, type NodeMetrics } from '../metrics/node-metrics';
import type { RoomMembership } from '../relay/room-membership';
import type { CommandContext, CommandHandlers } from './commands/types';
import { tokenExpired } from './session-ends';
import { commandCost } from './command-costs';
import { overBudget, type SocketBudget } from './socket-budget';
import type { UserSocialQuota } from './social-quota';
import type { ImSocket } from './socket-types';

/** Counts commands in flight so a draining node can wait for them. */
export class InFlight {
  private count = 0;
  private waiters: (() => void)[] = [];

  enter(): void {
    this.count++;
  }

  leave(): void {
    this.count--;
    if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
  }

  idle(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** What a command may ask of the node's room bookkeeping. */
export type RoomResync = Pick<RoomMembership, 'resync'>;

const KNOWN_COMMANDS: ReadonlySet<string> = new Set(COMMAND_NAMES);

/** A command's view of its socket, made per command so that a connection holds none. */
class SocketCommandContext implements CommandContext {
  readonly userId: string;
  readonly socketId: string;

  constructor(
    private readonly socket: ImSocket,
    private readonly membership: RoomResync,
  ) {
    this.userId = socket.data.userId;
    this.socketId = socket.id;
  }

  resyncRooms(): Promise<void> {
    return this.membership.resync(this.socket);
  }

  get authSessionId(): string {
    return this.socket.data.sessionId;
  }

  renewExpiry(expiresAt: number): void {
    this.socket.data.expiresAt = expiresAt;
  }
}

/** What limits the dispatcher applies before a command runs, and the clock it reads. */
export interface DispatchLimits {
  /** The clock tokens expire by (and the budget reads). */
  clock: Clock;
  /** Each command's cost is taken from its user's budget on this node first; over it, RATE_LIMITED and nothing runs. */
  budget?: SocketBudget;
  /** Commands that reach other people also spend from the user's cluster-wide social quota (after validation). */
  social?: UserSocialQuota;
  /** Where each answer is counted (command, code, duration; refused sends; limit hits). */
  metrics?: CommandMetrics;
}

/** What the dispatcher records. */
export type CommandMetrics = Pick<NodeMetrics, 'command' | 'messageRejected' | 'rateLimited'>;

/** Socket.IO calls a catch-all listener with the socket as `this`. */
export type CommandDispatcher = (this: ImSocket, name: string, ...args: unknown[]) => void;

/**
 * The one catch-all listener every socket of the node shares (one per socket
 * would be a closure and its context per connection): validate, run, answer
 * the ack with `{ok:true,...}` or a typed `{ok:false,error}`. A throw never
 * escapes to Socket.IO.
 */
export function createCommandDispatcher(
  handlers: CommandHandlers,
  membership: RoomResync,
  inFlight: InFlight,
  logger: Logger,
  limits: DispatchLimits,
): CommandDispatcher {
  const { clock, budget, social, metrics } = limits;
  return function dispatch(this: ImSocket, name: string, ...args: unknown[]): void {
    // The ack is always last; a command sent without a payload has only the ack.
    const ack = args[args.length - 1];
    if (typeof ack !== 'function') return; // no way to answer: the protocol requires an ack
    const startedAt = performance.now();
    const payload = args.length > 1 ? args[0] : undefined;
    const reply = ack as (a: Ack<Record<string, unknown>>) => void;
    const answer = metrics ? (a: Ack<Record<string, unknown>>): void => (record(metrics, name, a, startedAt), reply(a)) : reply;
    // Past its token's expiry a socket runs nothing (the session sweep closes it soon): renew before.
    if (tokenExpired(this, clock.now())) {
      answer({ ok: false, error: { code: 'UNAUTHORIZED', message: 'the access token expired; renew it before it does' } });
      return;
    }
    const wait = budget?.charge(this.data.userId, commandCost(name));
    if (wait !== undefined) {
      metrics?.rateLimited('command_budget');
      answer({ ok: false, error: overBudget(wait) });
      return;
    }
    if (!KNOWN_COMMANDS.has(name)) {
      answer({ ok: false, error: { code: 'INVALID_ARGUMENT', message: `unknown command "${name.slice(0, 64)}"` } });
      return;
    }
    inFlight.enter();
    // run() never rejects: every error becomes a typed ack.
    void run(name as CommandName, new SocketCommandContext(this, membership), payload, handlers, logger, social, metrics)
      .then(answer)
      .finally(() => inFlight.leave());
  };
}

async function run<K extends CommandName>(
  name: K,
  ctx: CommandContext,
  payload: unknown,
  handlers: CommandHandlers,
  logger: Logger,
  social: UserSocialQuota | undefined,
  metrics: CommandMetrics | undefined,
): Promise<Ack<CommandResults[K]>> {
  try {
    const input = parseOrThrow(COMMAND_SCHEMAS[name], payload ?? {});
    const refused = await social?.charge(ctx.userId, name, input);
    if (refused) {
      metrics?.rateLimited('social');
      return { ok: false, error: refused };
    }
    const result = await (handlers[name] as (c: CommandContext, p: unknown) => Promise<CommandResults[K]>)(ctx, input);
    return { ok: true, ...result };
  } catch (err) {
    const error = toParleyError(err);
    if (error.code === 'INTERNAL' || error.code === 'UNAVAILABLE') {
      logger.warn({ err: error.cause ?? error, command: name, userId: ctx.userId }, 'command failed');
    }
    return { ok: false, error: error.toBody() };
  }
}

/** Counts an answer: by command and code, its time, and a refused message:send by code. */
function record(metrics: CommandMetrics, name: string, ack: Ack<Record<string, unknown>>, startedAt: number): void {
  const code = ack.ok ? 'OK' : ack.error.code;
  metrics.command(name, code, secondsSince(startedAt));
  if (!ack.ok && name === 'message:send') metrics.messageRejected(code);
}
