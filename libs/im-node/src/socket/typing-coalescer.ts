import type { Clock, Notifier, PublishOptions } from '@parley/domain';
import type { GroupRoomName, Message, RelayableEventName, RoomName, ServerEventPayloads } from '@parley/protocol';

/** See TypingCoalescerOptions.windowMs. */
export const DEFAULT_TYPING_COALESCE_MS = 2_000;

export interface TypingCoalescerOptions {
  /**
   * At most one `typing` fan-out per (conversation, user) in this window; 0
   * turns coalescing off. Kept under the web client's resend interval
   * (2.5 s, shown for 4 s) so an honest typist's indicator never blinks.
   * @default 2000
   */
  windowMs: number;
  /** Pairs remembered at most; the oldest are forgotten first. @default 50000 */
  maxKeys?: number;
}

/**
 * Remembers when each (conversation, user) last had its `typing` fanned
 * out from this node. Node-local on purpose: a second node lets through
 * at most one more per window, and no store is touched per keystroke.
 */
export class TypingCoalescer {
  /** Insertion order is fan-out order (entries are re-inserted), so the oldest are at the front. */
  private readonly lastFanOut = new Map<string, number>();
  private readonly maxKeys: number;

  constructor(
    private readonly clock: Clock,
    private readonly options: TypingCoalescerOptions,
  ) {
    this.maxKeys = options.maxKeys ?? 50_000;
  }

  /** Whether this typing may fan out now; if so, the window starts again. */
  admit(conversationId: string, userId: string): boolean {
    if (this.options.windowMs <= 0) return true;
    const now = this.clock.now();
    this.forgetBefore(now - this.options.windowMs);
    const key = keyOf(conversationId, userId);
    if (this.lastFanOut.has(key)) return false; // anything still here is inside the window
    if (this.lastFanOut.size >= this.maxKeys) this.dropOldest();
    this.lastFanOut.set(key, now);
    return true;
  }

  /** A message from the user ends their indicator on the receivers' side: the next typing shows at once. */
  reopen(conversationId: string, userId: string): void {
    this.lastFanOut.delete(keyOf(conversationId, userId));
  }

  /** Pairs held (tests, metrics). */
  get size(): number {
    return this.lastFanOut.size;
  }

  private forgetBefore(cutoff: number): void {
    for (const [key, at] of this.lastFanOut) {
      if (at > cutoff) return;
      this.lastFanOut.delete(key);
    }
  }

  private dropOldest(): void {
    const oldest = this.lastFanOut.keys().next();
    if (!oldest.done) this.lastFanOut.delete(oldest.value);
  }
}

/** Only ids the service has found a membership for get here; NUL occurs in none of them. */
function keyOf(conversationId: string, userId: string): string {
  return `${conversationId}\u0000${userId}`;
}

/**
 * The notifier the messaging service publishes through: `typing` goes out
 * at most once per window per (conversation, user), after the service has
 * authorized it (membership, blocks), so coalescing never lets through what
 * the rules refuse; a `message:new` reopens its sender's window. Everything
 * else passes unchanged.
 */
export class TypingCoalescingNotifier implements Notifier {
  constructor(
    private readonly inner: Notifier,
    private readonly typing: TypingCoalescer,
  ) {}

  publish<E extends RelayableEventName>(
    rooms: readonly RoomName[],
    event: E,
    payload: ServerEventPayloads[E],
    messageId?: string,
    options?: PublishOptions,
  ): void {
    // The event name decides the payload's type (ServerEventPayloads); TypeScript does not narrow a generic by it.
    if (event === 'typing') {
      const { conversationId, userId } = payload as ServerEventPayloads['typing'];
      if (!this.typing.admit(conversationId, userId)) return;
    } else if (event === 'message:new') {
      const message = payload as Message;
      this.typing.reopen(message.conversationId, message.senderId);
    }
    this.inner.publish(rooms, event, payload, messageId, options);
  }

  publishConfirmed<E extends RelayableEventName>(rooms: readonly RoomName[], event: E, payload: ServerEventPayloads[E]): Promise<void> {
    return this.inner.publishConfirmed(rooms, event, payload);
  }

  joinRoom(userIds: readonly string[], room: GroupRoomName): void {
    this.inner.joinRoom(userIds, room);
  }

  leaveRoom(userIds: readonly string[], room: GroupRoomName): Promise<void> {
    return this.inner.leaveRoom(userIds, room);
  }
}
