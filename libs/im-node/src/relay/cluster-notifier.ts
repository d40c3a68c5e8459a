import { userRoom, type RelayEventName, type RelayEventPayloads, type RoomName } from '@parley/protocol';
import type { Notifier, PublishOptions } from '@parley/domain';
import type { Logger } from '@parley/util';
import type { RelayLink, RelayPublish } from './relay-link';

/** Frames kept while no gateway is reachable, replayed when one is back. @default 10000 */
const OUTBOX_LIMIT = 10_000;
import type { ImServer } from './socket/socket-types';

/**
 * Delivers to this node's sockets directly and to every other interested node
 * through the relay: one JSON encoding, one relay frame per event.
 */
export class ClusterNotifier implements Notifier {
  private controlCounter = 0;
  /**
   * Publishes that found no gateway (all restarting): replayed in order as
   * soon as one is back, so remote sessions get them without waiting for
   * their next sync. Replays are harmless: clients drop ids they hold.
   */
  private readonly outbox: RelayPublish[] = [];

  constructor(
    private readonly io: ImServer,
    private readonly relay: RelayLink,
    private readonly nodeId: string,
    private readonly logger: Logger,
  ) {
    relay.on('gateway:ready', () => this.flushOutbox());
  }

  publish<E extends keyof RelayEventPayloads>(
    rooms: readonly RoomName[],
    event: E,
    payload: RelayEventPayloads[E],
    messageId?: string,
    options: PublishOptions = {},
  ): void {
    if (rooms.length === 0) return;
    this.applyLocally(rooms, event, payload, options.exceptSession);
    const frame: RelayPublish = {
      rooms: [...rooms],
      event,
      payload: Buffer.from(JSON.stringify(payload)),
      messageId: messageId ?? this.nextControlId(),
      grantRoom: options.grantRoom,
    };
    if (this.outbox.length === 0 && this.relay.publish(frame)) return;
    this.outbox.push(frame);
    if (this.outbox.length > OUTBOX_LIMIT) {
      // Not a loss of data: the store holds every message and clients sync.
      this.outbox.shift();
      this.logger.warn({ limit: OUTBOX_LIMIT }, 'relay outbox full; oldest push dropped');
    }
  }

  private flushOutbox(): void {
    while (this.outbox.length > 0 && this.relay.publish(this.outbox[0])) this.outbox.shift();
  }

  joinRoom(userIds: readonly string[], room: RoomName): void {
    // The grant makes the gateway route the room's next publishes to the
    // members' nodes before their own interest announcements arrive.
    this.publish(userIds.map(userRoom), 'room:join', { users: [...userIds], room }, undefined, { grantRoom: room });
  }

  leaveRoom(userIds: readonly string[], room: RoomName): void {
    this.publish(userIds.map(userRoom), 'room:leave', { users: [...userIds], room });
  }

  /** Applies an event to this node's sockets; also the entry point for relayed frames. */
  applyLocally<E extends RelayEventName>(
    rooms: readonly string[],
    event: E,
    payload: RelayEventPayloads[E],
    exceptSession?: string,
  ): void {
    switch (event) {
      case 'room:join':
        this.io.in([...rooms]).socketsJoin((payload as RelayEventPayloads['room:join']).room);
        return;
      case 'room:leave':
        this.io.in([...rooms]).socketsLeave((payload as RelayEventPayloads['room:leave']).room);
        return;
      default: {
        const target = exceptSession ? this.io.to([...rooms]).except(exceptSession) : this.io.to([...rooms]);
        (target.emit as (ev: string, data: unknown) => boolean)(event, payload);
      }
    }
  }

  private nextControlId(): string {
    this.controlCounter = (this.controlCounter + 1) % Number.MAX_SAFE_INTEGER;
    return `${this.nodeId}:${this.controlCounter}`;
  }
}
