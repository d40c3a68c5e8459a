import { toParleyError, type CommandPayload, type CommandResults } from '@parley/protocol';
import type { MessageTracer, SendTrace } from '@parley/observability';
import type { CommandContext, CommandHandler, CommandHandlers } from './commands/types';

type SendHandler = CommandHandler<'message:send'>;

/**
 * Runs each sampled message:send inside a trace (MessageTracer): the
 * services it calls reach the notifier, which reads the trace from
 * AsyncLocalStorage and carries it into the relay frame; the ack line is
 * logged with the time from receipt to ack. The ack sent to the client is
 * unchanged: the trace id is the operators', never told to users.
 */
export function traceSends(handlers: CommandHandlers, tracer: MessageTracer): CommandHandlers {
  const send = handlers['message:send'];
  const traced: SendHandler = (ctx, payload) => {
    const trace = tracer.begin();
    return trace === undefined ? send(ctx, payload) : tracer.run(trace, sendTraced, send, ctx, payload, trace, tracer);
  };
  return { ...handlers, 'message:send': traced };
}

async function sendTraced(
  send: SendHandler,
  ctx: CommandContext,
  payload: CommandPayload<'message:send'>,
  trace: SendTrace,
  tracer: MessageTracer,
): Promise<CommandResults['message:send']> {
  try {
    const result = await send(ctx, payload);
    tracer.acked(trace, { ok: true, messageId: result.message.id, conversationId: result.message.conversationId });
    return result;
  } catch (err) {
    tracer.acked(trace, { ok: false, code: toParleyError(err).code });
    throw err;
  }
}
