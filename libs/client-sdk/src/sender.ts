import {
  ERROR_CODES,
  ParleyError,
  isErrorCode,
  type CommandInput,
  type Message,
  type NewMessageTarget,
} from '@parley/protocol';
import { backoffDelay, type BackoffOptions } from '@parley/util';

export interface SenderOptions {
  /** Runs `message:send` on whatever node the client is connected to (waiting for a connection). */
  send: (payload: CommandInput<'message:send'>) => Promise<{ message: Message }>;
  /** Hands the stored message to the conversation it belongs to. */
  delivered: (message: Message) => void;
  /** True once the client was closed: no more attempts. */
  closed: () => boolean;
  /** Delay between attempts, unless the node said how long to wait (`retryAfterMs`). */
  backoff: BackoffOptions;
  /** How long one send keeps retrying before giving up with UNAVAILABLE. */
  deadlineMs: number;
}

/**
 * Whether a failed attempt is worth repeating: the error's code is marked
 * `temporary` in the protocol's error table (nothing was stored, or we cannot
 * know yet). A code this client does not know is taken as permanent.
 */
export function isRetryable(err: ParleyError): boolean {
  return isErrorCode(err.code) && ERROR_CODES[err.code].temporary;
}

/** `T` without the keys `K`, member by member of a union. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What a `message:send` carries besides its target and clientMsgId: a text, or an attachment (and a reply, mentions). */
export type SendContent = DistributiveOmit<CommandInput<'message:send'>, 'to' | 'clientMsgId'>;

/**
 * Sends messages exactly once as the user sees it: every attempt carries the
 * same clientMsgId, so the server stores one message however many attempts
 * reach it, and attempts go on (across reconnects) until one is acked, a
 * permanent error comes back, or the deadline passes.
 */
export class Sender {
  constructor(private readonly options: SenderOptions) {}

  /** `content`: a text, or the whole of what the message carries. */
  send(to: NewMessageTarget, content: string | SendContent, clientMsgId: string = newClientMsgId()): Promise<Message> {
    const what: SendContent = typeof content === 'string' ? { kind: 'text', body: { text: content } } : content;
    const payload = { ...what, to, clientMsgId } as CommandInput<'message:send'>;
    return this.retry(async () => {
      const { message } = await this.options.send(payload);
      this.options.delivered(message);
      return message;
    });
  }

  /**
   * Runs an attempt that is safe to repeat (a send with its clientMsgId, a
   * change the server makes once however often it is asked) until it
   * succeeds, a permanent error comes back, or the deadline passes.
   */
  async retry<T>(attempt: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.options.deadlineMs;
    for (let n = 0; ; n++) {
      let failure: ParleyError;
      try {
        return await attempt();
      } catch (err) {
        failure = err instanceof ParleyError ? err : new ParleyError('UNAVAILABLE', String(err));
        if (!isRetryable(failure) || this.options.closed()) throw failure;
      }
      const wait = failure.retryAfterMs ?? backoffDelay(n, this.options.backoff);
      if (Date.now() + wait > deadline) throw new ParleyError('UNAVAILABLE', `not acked in time: ${failure.message}`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

function newClientMsgId(): string {
  return globalThis.crypto.randomUUID();
}
