import type { RoomName } from '@parley/protocol';
import type { NodeFrame } from './generated/parley/relay/v1/NodeFrame';

/** What the announcer needs of a gateway link. */
export interface AnnounceTarget {
  readonly state: string;
  sendControl(frame: NodeFrame): void;
}

/**
 * This node's interest set and how gateways learn it: the full set in each
 * stream's Hello (`rooms()`), then deltas coalesced per tick, or sent at once
 * with an ack that `announce()` waits for.
 *
 * Interest is not reference-counted here: the socket layer calls
 * `set(room, true)` when a room gains its first local socket and
 * `set(room, false)` when it loses its last one.
 */
export class InterestAnnouncer<L extends AnnounceTarget> {
  private readonly interest = new Set<RoomName>();
  /** Rooms changed since the last delta; their current state is sent on flush. */
  private readonly pending = new Set<RoomName>();
  private flushHandle: NodeJS.Immediate | undefined;
  private lastAck = 0;
  /** announce() calls waiting for gateways to confirm: ack id -> links still to confirm. */
  private readonly confirmations = new Map<number, { links: Set<L>; done: () => void }>();
  /** This turn's announce() calls: one acknowledged delta for all of them, at the end of the turn. */
  private announcing: { finish: () => void; timeoutMs: number }[] = [];
  private announceHandle: NodeJS.Immediate | undefined;

  constructor(private readonly links: () => Iterable<L>) {}

  /** Declares whether this node has local sockets in `room`; gateways learn it on the next tick. */
  set(room: RoomName, interested: boolean, anyLink: boolean): void {
    if (interested === this.interest.has(room)) return;
    if (interested) this.interest.add(room);
    else this.interest.delete(room);
    // No stream yet: the Hello of each future stream carries the full set.
    if (!anyLink) return;
    this.pending.add(room);
    // Coalesce a burst (a reconnect storm joins many rooms) into one delta frame.
    this.flushHandle ??= setImmediate(() => this.flush());
  }

  /**
   * Sends interest changes at the end of this turn and resolves once every
   * ready gateway has applied them (and all earlier ones), or after
   * `timeoutMs`. The calls of one turn (a reconnect storm's handshakes)
   * share one delta and one acknowledgement per gateway.
   */
  announce(timeoutMs: number): Promise<void> {
    // The changes made so far go with the acknowledged delta, not a plain one before it.
    this.cancelFlush();
    return new Promise((resolve) => {
      const timer = setTimeout(finish, timeoutMs);
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
      this.announcing.push({ finish, timeoutMs });
      this.announceHandle ??= setImmediate(() => this.sendAnnounced());
    });
  }

  private sendAnnounced(): void {
    this.announceHandle = undefined;
    const waiters = this.announcing;
    this.announcing = [];
    this.cancelFlush();
    const { add, remove } = this.takePending();
    const ack = (this.lastAck = (this.lastAck % 0xffff_fffe) + 1);
    const ready: L[] = [];
    for (const link of this.links()) {
      link.sendControl({ delta: { add, remove, ack } });
      if (link.state === 'ready') ready.push(link);
    }
    // Forgotten once confirmed, or once every waiter has given up (a gateway that never answers).
    const expiry = setTimeout(() => this.confirmations.delete(ack), Math.max(...waiters.map((w) => w.timeoutMs)));
    const done = (): void => {
      clearTimeout(expiry);
      this.confirmations.delete(ack);
      for (const waiter of waiters) waiter.finish();
    };
    if (ready.length === 0) done();
    else this.confirmations.set(ack, { links: new Set(ready), done });
  }

  has(room: string): room is RoomName {
    return (this.interest as ReadonlySet<string>).has(room);
  }

  rooms(): ReadonlySet<RoomName> {
    return this.interest;
  }

  /** Deltas are applied in stream order: an ack confirms every earlier one on that link. */
  applied(link: L, ack: number): void {
    for (const [id, waiting] of this.confirmations) {
      if (id > ack) continue;
      waiting.links.delete(link);
      if (waiting.links.size === 0) waiting.done();
    }
  }

  /** A lost stream confirms nothing, but must not be waited for. */
  linkLost(link: L): void {
    this.applied(link, Number.MAX_SAFE_INTEGER);
  }

  clear(): void {
    this.cancelFlush();
    this.pending.clear();
  }

  private cancelFlush(): void {
    if (this.flushHandle) clearImmediate(this.flushHandle);
    this.flushHandle = undefined;
  }

  private flush(): void {
    this.flushHandle = undefined;
    const { add, remove } = this.takePending();
    if (add.length === 0 && remove.length === 0) return;
    // Streams opened since the change already carried it in their Hello; repeating it is harmless.
    for (const link of this.links()) link.sendControl({ delta: { add, remove } });
  }

  private takePending(): { add: string[]; remove: string[] } {
    const add: string[] = [];
    const remove: string[] = [];
    for (const room of this.pending) (this.interest.has(room) ? add : remove).push(room);
    this.pending.clear();
    return { add, remove };
  }
}
