import { userRoom, type RelayEventName, type RelayEventPayloads, type RoomName } from '@parley/protocol';
import type { Notifier } from '@parley/domain';
import type { Logger } from '@parley/util';
import type { RelayLink } from './relay-link';
import type { ImServer } from './socket/socket-types';

/**
 * Delivers to this node's sockets directly and to every other interested node
 * through the relay: one JSON encoding, one relay frame per event.
 */
export class ClusterNotifier implements Notifier {
  private controlCounter = 0;

  constructor(
    private readonly io: ImServer,
    private readonly relay: RelayLink,
    private readonly nodeId: string,
    private readonly logger: Logger,
  ) {}

  publish<E extends keyof RelayEventPayloads>(
    rooms: readonly RoomName[],
    event: E,
    payload: RelayEventPayloads[E],
    messageId?: string,
  ): void {
    if (rooms.length === 0) return;
    this.applyLocally(rooms, event, payload);
    const sent = this.relay.publish({
      rooms: [...rooms],
      event,
      payload: Buffer.from(JSON.stringify(payload)),
      messageId: messageId ?? this.nextControlId(),
    });
    // Not an error for correctness: recipients on other nodes catch up with sync.
    if (!sent) this.logger.warn({ event, rooms: rooms.length }, 'relay unavailable; remote sessions will sync');
  }

  joinRoom(userIds: readonly string[], room: RoomName): void {
    this.publish(userIds.map(userRoom), 'room:join', { users: [...userIds], room });
  }

  leaveRoom(userIds: readonly string[], room: RoomName): void {
    this.publish(userIds.map(userRoom), 'room:leave', { users: [...userIds], room });
  }

  /** Applies an event to this node's sockets; also the entry point for relayed frames. */
  applyLocally<E extends RelayEventName>(rooms: readonly string[], event: E, payload: RelayEventPayloads[E]): void {
    switch (event) {
      case 'room:join':
        this.io.in([...rooms]).socketsJoin((payload as RelayEventPayloads['room:join']).room);
        return;
      case 'room:leave':
        this.io.in([...rooms]).socketsLeave((payload as RelayEventPayloads['room:leave']).room);
        return;
      default:
        (this.io.to([...rooms]).emit as (ev: string, data: unknown) => boolean)(event, payload);
    }
  }

  private nextControlId(): string {
    this.controlCounter = (this.controlCounter + 1) % Number.MAX_SAFE_INTEGER;
    return `${this.nodeId}:${this.controlCounter}`;
  }
}
