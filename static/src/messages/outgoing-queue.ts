import type { ParleyClient } from '@parley/client';
import type { Message, NewMessageTarget } from '@parley/protocol';
import { describe } from '../describe-error';
import { newId } from '../ids';
import type { Action } from '../state/actions';
import type { Outgoing, State } from '../state/types';

export interface OutgoingHost {
  readonly client: ParleyClient;
  dispatch(action: Action): void;
  state(): State;
  /** A message acked by the server, shown like any received. */
  received(message: Message): void;
}

/**
 * My text messages until the server stores them: each shows in the outbox at
 * once (`outbox/queued`), leaves it when acked, or stays there as failed
 * with the reason, for the person to retry or discard.
 */
export class OutgoingQueue {
  constructor(private readonly host: OutgoingHost) {}

  /** Queues text for a conversation and sends it; settles once it was stored or failed (never rejects). */
  send(conversationId: string, to: NewMessageTarget, text: string, extras: { replyTo?: Message; mentions?: string[] } = {}): Promise<void> {
    const { replyTo, mentions } = extras;
    const outgoing: Outgoing = {
      clientMsgId: newId(),
      conversationId,
      to,
      text,
      createdAt: Date.now(),
      status: 'sending',
      ...(replyTo ? { replyTo: replyTo.id } : {}),
      ...(mentions && mentions.length > 0 ? { mentions } : {}),
    };
    this.host.dispatch({ type: 'outbox/queued', outgoing });
    return this.deliver(outgoing);
  }

  /** Sends again with the same clientMsgId, so the server stores it at most once. */
  retry(clientMsgId: string): Promise<void> {
    const outgoing = this.host.state().outgoing.find((o) => o.clientMsgId === clientMsgId);
    if (!outgoing) return Promise.resolve();
    this.host.dispatch({ type: 'outbox/retried', clientMsgId });
    return this.deliver(outgoing);
  }

  discard(clientMsgId: string): void {
    this.host.dispatch({ type: 'outbox/discarded', clientMsgId });
  }

  private async deliver(outgoing: Outgoing): Promise<void> {
    const { clientMsgId, conversationId } = outgoing;
    try {
      const { replyTo, mentions } = outgoing;
      const message = await this.host.client.send(outgoing.to, outgoing.text, { clientMsgId, ...(replyTo ? { replyTo } : {}), ...(mentions ? { mentions } : {}) });
      this.host.received(message);
      this.host.dispatch({ type: 'outbox/sent', clientMsgId, conversationId, seq: message.seq });
    } catch (err) {
      this.host.dispatch({ type: 'outbox/failed', clientMsgId, error: describe(err) });
    }
  }
}
