import {
  COMMAND_NAMES,
  COMMAND_SCHEMAS,
  parseOrThrow,
  toParleyError,
  type Ack,
  type CommandName,
  type CommandResults,
} from '@parley/protocol';
import type { Logger } from '@parley/util';
import type { CommandContext, CommandHandlers } from './command-handlers';
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

type UntypedListener = (payload: unknown, ack: unknown) => void;

/**
 * Binds every command of the protocol to its handler: validate, run, answer
 * the ack with `{ok:true,...}` or a typed `{ok:false,error}`. A throw never
 * escapes to Socket.IO.
 */
export function bindCommands(
  socket: ImSocket,
  handlers: CommandHandlers,
  inFlight: InFlight,
  logger: Logger,
): void {
  const ctx: CommandContext = {
    userId: socket.data.userId,
    sessionId: socket.id,
    joinRooms: (rooms) => void socket.join([...rooms]),
  };
  for (const name of COMMAND_NAMES) {
    const listener: UntypedListener = (payload, ack) => {
      if (typeof ack !== 'function') return; // no way to answer: the protocol requires an ack
      inFlight.enter();
      run(name, ctx, payload, handlers, logger)
        .then((answer) => (ack as (a: Ack<CommandResults[typeof name]>) => void)(answer))
        .finally(() => inFlight.leave());
    };
    (socket.on as (event: string, listener: UntypedListener) => void)(name, listener);
  }
}

async function run<K extends CommandName>(
  name: K,
  ctx: CommandContext,
  payload: unknown,
  handlers: CommandHandlers,
  logger: Logger,
): Promise<Ack<CommandResults[K]>> {
  try {
    const input = parseOrThrow(COMMAND_SCHEMAS[name], payload ?? {});
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

