import type { Clock } from '@parley/domain';
import type { ImServer } from '../socket/socket-types';

/**
 * Tells this node's sockets to sync (`server:resync {withinMs}`, the client
 * spreads its sync over that time) because relayed pushes to them may have
 * been dropped: a gateway's queue toward this node was full (RoomsLost), an
 * origin's outbox overflowed (`relay:lost`), or this node was cut off from
 * every gateway.
 *
 * Coalesced per socket: at most one notice per `withinMs`; one asked for
 * inside that window is sent when it ends (a loss after the first sync must
 * still be caught up), so a thousand reports at once cost each socket one
 * notice, and a later one a second.
 */
export class RoomResync {
  /** Insertion order is send order (entries are re-inserted), so the oldest are at the front. */
  private readonly lastSent = new Map<string, number>();
  private readonly deferred = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private sentCount = 0;

  constructor(
    private readonly io: ImServer,
    private readonly clock: Clock,
    private readonly withinMs: number,
  ) {}

  /** Local sockets in any of `rooms`; rooms with none here are skipped. */
  rooms(rooms: Iterable<string>): void {
    const adapterRooms = this.io.of('/').adapter.rooms;
    const ids = new Set<string>();
    for (const room of rooms) {
      const members = adapterRooms.get(room);
      if (members) for (const id of members) ids.add(id);
    }
    this.notify(ids);
  }

  /** Every local socket. */
  all(): void {
    this.notify(this.io.of('/').sockets.keys());
  }

  /** Notices sent (tests, metrics). */
  get sent(): number {
    return this.sentCount;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.deferred.clear();
  }

  private notify(ids: Iterable<string>): void {
    const now = this.clock.now();
    this.forgetBefore(now - this.withinMs);
    for (const id of ids) {
      if (this.lastSent.has(id)) this.defer(id);
      else this.send(id, now);
    }
  }

  private send(id: string, now: number): void {
    const socket = this.io.of('/').sockets.get(id);
    if (!socket) return;
    socket.emit('server:resync', { withinMs: this.withinMs });
    this.sentCount++;
    this.lastSent.delete(id);
    this.lastSent.set(id, now);
  }

  private defer(id: string): void {
    this.deferred.add(id);
    // Fires a full window after the latest notice could have been sent: every deferred socket is due by then.
    this.timer ??= setTimeout(() => this.sendDeferred(), this.withinMs).unref();
  }

  private sendDeferred(): void {
    this.timer = undefined;
    const ids = [...this.deferred];
    this.deferred.clear();
    this.notify(ids);
  }

  private forgetBefore(cutoff: number): void {
    for (const [id, at] of this.lastSent) {
      if (at > cutoff) return;
      this.lastSent.delete(id);
    }
  }
}
