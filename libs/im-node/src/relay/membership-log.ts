import type { RoomName } from '@parley/protocol';

interface Change {
  at: number;
  userId: string;
  room: RoomName;
  joined: boolean;
}

/** Changes kept; a read older than this many changes is settled by reading again. */
const DEFAULT_CAPACITY = 50_000;

/**
 * The room joins and leaves this node applied, in order. A session's rooms
 * come from a store read that can be overtaken by a relayed join or leave
 * (applied while the read was in flight, to sockets not yet in the room):
 * `settle` replays what happened since the read, so a kick that raced a
 * handshake or a sync cannot be undone by it.
 */
export class MembershipLog {
  private readonly changes: Change[] = [];
  private counter = 0;

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /** A position to settle a store read against: take it before the read starts. */
  mark(): number {
    return this.counter;
  }

  record(userIds: readonly string[], room: RoomName, joined: boolean): void {
    for (const userId of userIds) this.changes.push({ at: ++this.counter, userId, room, joined });
    if (this.changes.length > this.capacity) this.changes.splice(0, this.changes.length - this.capacity);
  }

  /** True when `userId` left `room` after `mark` (and did not join it again). */
  leftSince(mark: number, userId: string, room: RoomName): boolean {
    const changed = this.changesSince(mark, userId);
    return changed?.get(room) === false;
  }

  /**
   * `rooms` (read after `mark`) with every later change of `userId` applied;
   * undefined when the log no longer reaches back to `mark`.
   */
  settle(rooms: readonly RoomName[], userId: string, mark: number): RoomName[] | undefined {
    const changed = this.changesSince(mark, userId);
    if (!changed) return undefined;
    const settled = new Set(rooms);
    for (const [room, joined] of changed) {
      if (joined) settled.add(room);
      else settled.delete(room);
    }
    return [...settled];
  }

  /** The last change per room of `userId` after `mark`. */
  private changesSince(mark: number, userId: string): Map<RoomName, boolean> | undefined {
    const oldest = this.changes[0];
    if (oldest && oldest.at > mark + 1) return undefined;
    const changed = new Map<RoomName, boolean>();
    // Newest last: walk back until the mark.
    for (let i = this.changes.length - 1; i >= 0; i--) {
      const change = this.changes[i];
      if (change === undefined || change.at <= mark) break;
      if (change.userId === userId && !changed.has(change.room)) changed.set(change.room, change.joined);
    }
    return changed;
  }
}
