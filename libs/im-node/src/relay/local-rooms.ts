import { userRoom, type RoomName, type ServerEventName, type ServerEventPayloads } from '@parley/protocol';
import type { Count, DeliverySource, Timing } from '../metrics/node-metrics';
import type { ImServer } from '../socket/socket-types';
import type { MembershipLog } from './membership-log';

/** This node's own sockets: emits to its rooms and moves users' sessions in and out of them. */
export class LocalRooms {
  constructor(
    private readonly io: ImServer,
    readonly log: MembershipLog,
    /** message:new pushes counted per socket reached, by where the message came from. @default not counted */
    private readonly deliveries?: Readonly<Record<DeliverySource, Count>>,
    /** Relayed message:new, seconds from its createdAt (the sending node's clock) to this push. @default not timed */
    private readonly relayLag?: Timing,
    private readonly now: () => number = Date.now,
  ) {}

  /** `source`: where the event came from (this node's service, or a relayed frame), for the delivery counts. */
  emit<E extends ServerEventName>(
    rooms: readonly RoomName[],
    event: E,
    payload: ServerEventPayloads[E],
    exceptSession?: string,
    source: DeliverySource = 'local',
  ): void {
    const target = exceptSession ? this.io.to([...rooms]).except(exceptSession) : this.io.to([...rooms]);
    (target.emit as (ev: string, data: unknown) => boolean)(event, payload);
    if (this.deliveries && event === 'message:new') {
      const reached = this.reach(rooms, exceptSession);
      if (reached > 0) this.deliveries[source].inc(reached);
    }
    if (source === 'relayed' && this.relayLag && event === 'message:new') {
      const createdAt = (payload as ServerEventPayloads['message:new']).createdAt;
      if (Number.isFinite(createdAt)) this.relayLag.observe(Math.max(0, this.now() - createdAt) / 1000);
    }
  }

  /** True while at least one local socket is in `room`. */
  has(room: RoomName): boolean {
    return this.io.of('/').adapter.rooms.has(room);
  }

  /**
   * Sockets an emit to `rooms` reaches now (the delivery count, the trace lines'), from the
   * adapter's room sizes: no socket walked, nothing allocated. Summed per
   * room: exact for message:new, whose rooms never share a socket (user rooms
   * of different users, or one group room); a socket in two rooms of another
   * event counts twice.
   */
  reach(rooms: readonly RoomName[], exceptSession?: string): number {
    const adapterRooms = this.io.of('/').adapter.rooms;
    let reached = 0;
    for (const room of rooms) {
      const sockets = adapterRooms.get(room);
      if (sockets === undefined) continue;
      reached += sockets.size;
      if (exceptSession !== undefined && sockets.has(exceptSession)) reached--;
    }
    return reached;
  }

  join(userIds: readonly string[], room: RoomName): void {
    if (userIds.length === 0) return;
    this.io.in(userIds.map(userRoom)).socketsJoin(room);
    this.log.record(userIds, room, true);
  }

  leave(userIds: readonly string[], room: RoomName): void {
    if (userIds.length === 0) return;
    this.io.in(userIds.map(userRoom)).socketsLeave(room);
    this.log.record(userIds, room, false);
  }
}
