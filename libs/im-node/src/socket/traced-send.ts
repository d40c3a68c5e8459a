import { toParleyError, type CommandPayload, type CommandResults } from '@parley/protocol';
import type { MessageTracer, SendTrace } from '@parley/observability';
import type { CommandContext, CommandHandler, CommandHandlers } from './commands/types';

type SendHandler = CommandHandler<'message:send'>;

/**
 * Follows each sampled message:send (MessageTracer): the send is noted as in
 * flight by its sender and clientMsgId right before the handler runs, so
 * the notifier publishing its message finds the trace by those two ids and
 * carries it into the relay frame (no AsyncLocalStorage); the ack line is
 * logged with the time from receipt to ack, and the note dropped. The ack
 * sent to the client is unchanged: the trace id is the operators', never
 * told to users.
 */
export function traceSends(handlers: CommandHandlers, tracer: MessageTracer): CommandHandlers {
  const send = handlers['message:send'];
  const traced: SendHandler = (ctx, payload) => {
    const trace = tracer.begin();
    return trace === undefined ? send(ctx, payload) : sendTraced(send, ctx, payload, trace, tracer);
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
  tracer.sending(ctx.userId, payload.clientMsgId, trace);
  try {
    const result = await send(ctx, payload);
    tracer.acked(trace, { ok: true, messageId: result.message.id, conversationId: result.message.conversationId });
    return result;
  } catch (err) {
    tracer.acked(trace, { ok: false, code: toParleyError(err).code });
    throw err;
  } finally {
    tracer.sent(ctx.userId, payload.clientMsgId, trace);
  }
}
