import type { LogPage, Message, MessageUpdateEvent } from '@parley/protocol';
import { applyChange, requote } from './message-state';

/**
 * A change entry of the log, released in seq order, with the state of the
 * message it changed.
 */
export interface MessageUpdate {
  /** The `change` entry (its seq, its actor in `senderId`, what it did in `change`). */
  entry: Message;
  /**
   * The changed message as it is now: the target (`deleted: true` after a
   * delete for me), or a held reply whose quote now shows the target
   * recalled or edited. Absent when the client holds nothing of the target
   * and the server sent no state of it (a message older than what it holds).
   */
  message?: Message;
}

/** What the log releases, in seq order: content messages and the updates that change entries make. */
export type LogRelease = { message: Message } | { update: MessageUpdate };

/**
 * A state of a message: current as of seq `asOf` of the log (or later), and
 * usable once the log has released seq `from` (the entry that brought it, or
 * the first seq of the page that did).
 */
interface Known {
  message: Message;
  asOf: number;
  from: number;
}

/**
 * What a client holds of one conversation's log. Entries (content messages
 * and `change` entries) are released in strictly increasing seq, each once;
 * those that arrive early wait for the seqs before them. A seq is settled
 * when its entry arrived, or when a page covering it came without it: a page
 * (sync, history) covers its range, and a seq missing inside it is hidden
 * from this user (someone's delete for themselves), not a gap.
 *
 * Held content messages carry their current state. States come with every
 * entry, with pushes of `message:update` (current as of the change entry's
 * seq) and with pages' `updates` (as of the page's newest seq). A state is
 * taken only if it is at least as recent as the one held, and not before
 * the entry or page that brought it is reached, so what the application
 * sees follows the log's order even when pushes and pages cross. A change
 * entry that came without a state is worked out on the client
 * ({@link applyChange}).
 */
export class ConversationLog {
  /** Highest settled seq with every seq before it settled too. */
  private cursor: number;
  /** Seqs up to here that have not arrived are hidden (a page covering them came without them). */
  private coveredTo = 0;
  private readonly held: Message[] = [];
  private readonly heldAsOf = new Map<string, number>();
  private readonly early = new Map<number, Known>();
  /** States not taken yet (the log has not reached them), by message id. */
  private readonly states = new Map<string, Known[]>();

  constructor(baseSeq = 0) {
    this.cursor = baseSeq;
  }

  get releasedSeq(): number {
    return this.cursor;
  }

  /** Content messages released so far, in seq order, in their current state (deleted-for-me ones left out). */
  messages(): readonly Message[] {
    return this.held;
  }

  /** A held message by id. */
  find(id: string): Message | undefined {
    return this.held.find((m) => m.id === id);
  }

  /** Takes in one entry (a push, a send's ack) as current at its own seq; returns what became releasable. */
  ingest(message: Message): LogRelease[] {
    this.take({ message, asOf: message.seq, from: message.seq });
    return this.release();
  }

  /** A `message:update` push: the target's state as of the entry, then the entry itself. */
  update(event: MessageUpdateEvent): LogRelease[] {
    const seq = event.entry.seq;
    this.offer({ message: event.message, asOf: seq, from: seq });
    this.take({ message: event.entry, asOf: seq, from: seq });
    return this.release();
  }

  /**
   * A page of the log after `afterSeq` (sync, history:fetch with afterSeq):
   * its entries and `updates` are current as of its `throughSeq`, and every
   * seq from `afterSeq` to that one that it lacks is hidden from this user
   * (so an empty page over a hidden tail still moves the cursor).
   */
  ingestPage(afterSeq: number, page: LogPage): LogRelease[] {
    const asOf = Math.max(page.throughSeq, page.messages.at(-1)?.seq ?? afterSeq);
    const from = afterSeq + 1;
    for (const message of page.updates ?? []) this.offer({ message, asOf, from });
    for (const message of page.messages) this.take({ message, asOf, from: Math.max(from, message.seq) });
    if (afterSeq <= this.cursor) this.coveredTo = Math.max(this.coveredTo, asOf);
    return this.release();
  }

  /** True while an entry is waiting for an earlier seq that has not arrived. */
  hasGap(): boolean {
    return this.early.size > 0;
  }

  private take(known: Known): void {
    const { message } = known;
    if (message.seq <= this.cursor) {
      // Released before: only its state may be news.
      if (message.kind !== 'change') this.offer(known);
      return;
    }
    const waiting = this.early.get(message.seq);
    if (!waiting || waiting.asOf < known.asOf) this.early.set(message.seq, known);
  }

  /** A state of a message: taken now if the log has reached it, else kept until it does. */
  private offer(known: Known): void {
    if (known.from <= this.cursor) {
      this.adopt(known.message, known.asOf);
      return;
    }
    const list = this.states.get(known.message.id);
    if (list) list.push(known);
    else this.states.set(known.message.id, [known]);
  }

  private release(): LogRelease[] {
    const out: LogRelease[] = [];
    for (;;) {
      const next = this.cursor + 1;
      const known = this.early.get(next);
      if (!known && next > this.coveredTo) break;
      this.early.delete(next);
      this.cursor = next;
      if (known) this.accept(known, out);
      this.adoptReached();
    }
    return out;
  }

  private accept(known: Known, out: LogRelease[]): void {
    const { message } = known;
    if (message.kind !== 'change') {
      const newer = this.takeState(message.id);
      const current = newer && newer.asOf >= known.asOf ? newer : known;
      if (current.message.deleted) return;
      this.held.push(current.message);
      this.heldAsOf.set(message.id, current.asOf);
      out.push({ message: current.message });
      return;
    }
    const change = message.change;
    if (!change) return;
    // The target's state that came with this entry (a push) or its page.
    const state = this.takeState(change.messageId);
    if (state) this.adopt(state.message, state.asOf);
    let target = this.find(change.messageId);
    if (target) {
      const heldAsOf = this.heldAsOf.get(target.id) ?? 0;
      // Held in a state from before this entry (or a delete, which no held state shows): work it out here.
      if (heldAsOf < message.seq || change.type === 'delete') {
        target = applyChange(target, message);
        this.adopt(target, Math.max(heldAsOf, message.seq));
      }
    } else {
      target = state?.message;
    }
    out.push({ update: target ? { entry: message, message: target } : { entry: message } });
    if (change.type !== 'recall' && change.type !== 'edit') return;
    for (const reply of this.held) {
      // A reply held in a state newer than this entry already shows it.
      const updated = (this.heldAsOf.get(reply.id) ?? 0) < message.seq ? requote(reply, message) : undefined;
      if (!updated) continue;
      this.replace(updated);
      out.push({ update: { entry: message, message: updated } });
    }
  }

  /** The most recent state of a message usable now (dropping it and older ones); later ones stay. */
  private takeState(id: string): Known | undefined {
    const list = this.states.get(id);
    if (!list) return undefined;
    let best: Known | undefined;
    for (const k of list) if (k.from <= this.cursor && (!best || k.asOf > best.asOf)) best = k;
    if (!best) return undefined;
    const bestAsOf = best.asOf;
    const rest = list.filter((k) => k.asOf > bestAsOf);
    if (rest.length > 0) this.states.set(id, rest);
    else this.states.delete(id);
    return best;
  }

  /** Takes a state of a held message if it is at least as recent as the one held; a deleted one leaves. */
  private adopt(message: Message, asOf: number): void {
    const index = this.held.findIndex((m) => m.id === message.id);
    if (index < 0 || (this.heldAsOf.get(message.id) ?? 0) > asOf) return;
    if (message.deleted) {
      this.held.splice(index, 1);
      this.heldAsOf.delete(message.id);
      return;
    }
    this.held[index] = message;
    this.heldAsOf.set(message.id, asOf);
  }

  private replace(message: Message): void {
    const index = this.held.findIndex((m) => m.id === message.id);
    if (index >= 0) this.held[index] = message;
  }

  /** States whose seq the log has now passed: the held message takes them (if newer); others go. */
  private adoptReached(): void {
    if (this.states.size === 0) return;
    for (const id of [...this.states.keys()]) {
      const list = this.states.get(id) ?? [];
      if (!list.some((k) => k.asOf <= this.cursor)) continue;
      const state = this.takeState(id);
      if (state) this.adopt(state.message, state.asOf);
    }
  }
}
