import { isRoomName, userRoom, type RoomName } from '@parley/protocol';
import type { SessionService } from '@parley/domain';
import type { ImSocket, RoomsRead } from '../socket/socket-types';
import type { MembershipLog } from './membership-log';
import type { RelayLink } from './relay-link';

/** Longest a handshake waits for the gateways to confirm its rooms. */
const ANNOUNCE_WAIT_MS = 250;

/**
 * Which rooms a session sits in, from the store, made safe against races
 * with relayed joins and leaves: the user's own room is routed here before
 * the read (so any removal committed after it reaches this node), and what
 * was applied while the read was in flight is replayed onto its result.
 */
export class RoomMembership {
  constructor(
    private readonly sessions: SessionService,
    private readonly relay: RelayLink,
    private readonly log: MembershipLog,
  ) {}

  /**
   * For a handshake: routes the user's room here, reads their rooms, and
   * makes every gateway route those here too before the session starts.
   */
  async prepare(userId: string): Promise<RoomsRead> {
    this.relay.setInterest(userRoom(userId), true);
    await this.relay.announce(ANNOUNCE_WAIT_MS);
    const read = await this.read(userId);
    // Announced ahead of the join; the join's own create-room is then a no-op.
    for (const room of read.rooms) this.relay.setInterest(room, true);
    await this.relay.announce(ANNOUNCE_WAIT_MS);
    return read;
  }

  async read(userId: string): Promise<RoomsRead> {
    const mark = this.log.mark();
    return { rooms: await this.sessions.roomsFor(userId), mark };
  }

  /** The read's rooms with every join and leave applied here since; undefined if the log no longer reaches back. */
  settleNow(userId: string, read: RoomsRead): RoomName[] | undefined {
    return this.log.settle(read.rooms, userId, read.mark);
  }

  async settle(userId: string, read: RoomsRead): Promise<RoomName[]> {
    return this.settleNow(userId, read) ?? this.settle(userId, await this.read(userId));
  }

  /** Puts the socket in exactly the user's rooms: joins missed ones, leaves ones it no longer belongs to. */
  async resync(socket: ImSocket): Promise<void> {
    const rooms = await this.settle(socket.data.userId, await this.read(socket.data.userId));
    const wanted = new Set<string>(rooms);
    for (const room of socket.rooms) if (isRoomName(room) && !wanted.has(room)) void socket.leave(room);
    void socket.join(rooms);
  }
}
