import type { SendTrace } from './message-tracer';

interface Entry {
  readonly trace: SendTrace;
  claimed: boolean;
}

/**
 * The sampled message:sends in flight on one node, by sender and clientMsgId:
 * how the notifier finds the trace of the message it publishes without
 * AsyncLocalStorage (whose first use turns on async hooks for every promise
 * in the process, for good). Entries live from just before the send's
 * handler runs until its ack, so the maps hold no more than the sends in
 * flight; nested maps, so a lookup builds no key string.
 *
 * Sends of one clientMsgId at once (a retry racing the first attempt, or a
 * client repeating itself) each publish the same message once: each publish
 * claims a different one of their traces, in the order the sends began.
 */
export class InFlightSends {
  private readonly bySender = new Map<string, Map<string, Entry[]>>();
  private entries = 0;

  add(senderId: string, clientMsgId: string, trace: SendTrace): void {
    let byClientId = this.bySender.get(senderId);
    if (byClientId === undefined) {
      byClientId = new Map();
      this.bySender.set(senderId, byClientId);
    }
    const list = byClientId.get(clientMsgId);
    if (list === undefined) byClientId.set(clientMsgId, [{ trace, claimed: false }]);
    else list.push({ trace, claimed: false });
    this.entries++;
  }

  /** The send is over (acked or failed): its entry goes, claimed or not. */
  remove(senderId: string, clientMsgId: string, trace: SendTrace): void {
    const byClientId = this.bySender.get(senderId);
    const list = byClientId?.get(clientMsgId);
    if (byClientId === undefined || list === undefined) return;
    const index = list.findIndex((e) => e.trace === trace);
    if (index < 0) return;
    list.splice(index, 1);
    this.entries--;
    if (list.length > 0) return;
    byClientId.delete(clientMsgId);
    if (byClientId.size === 0) this.bySender.delete(senderId);
  }

  /** The trace of an in-flight send of this message that no publish has taken yet. */
  claim(senderId: string, clientMsgId: string): SendTrace | undefined {
    if (this.entries === 0) return undefined; // nothing followed (the usual case at a low sample)
    const list = this.bySender.get(senderId)?.get(clientMsgId);
    if (list === undefined) return undefined;
    for (const entry of list) {
      if (entry.claimed) continue;
      entry.claimed = true;
      return entry.trace;
    }
    return undefined;
  }

  /** Sends followed right now (a test's check that nothing is left behind). */
  get size(): number {
    return this.entries;
  }
}
