import type { Message } from '@parley/protocol';

/**
 * What a client holds of one conversation: messages released to the app in
 * strictly increasing seq with no holes, plus those that arrived early and
 * wait for the gap before them to be filled. Duplicates are dropped by id.
 */
export class ConversationLog {
  /** Highest seq released with everything before it released too. */
  private cursor: number;
  private readonly held: Message[] = [];
  private readonly early = new Map<number, Message>();

  constructor(baseSeq = 0) {
    this.cursor = baseSeq;
  }

  get releasedSeq(): number {
    return this.cursor;
  }

  /** Messages released so far, in seq order. */
  messages(): readonly Message[] {
    return this.held;
  }

  /** Takes in any message; returns those that became releasable, in order. */
  ingest(message: Message): Message[] {
    if (message.seq <= this.cursor || this.early.has(message.seq)) return [];
    this.early.set(message.seq, message);
    const released: Message[] = [];
    for (let next = this.early.get(this.cursor + 1); next; next = this.early.get(this.cursor + 1)) {
      this.early.delete(next.seq);
      this.cursor = next.seq;
      this.held.push(next);
      released.push(next);
    }
    return released;
  }

  /** True while a message is waiting for an earlier seq that has not arrived. */
  hasGap(): boolean {
    return this.early.size > 0;
  }
}
