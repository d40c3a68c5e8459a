import type { RoomName, ServerEventName, ServerEventPayloads } from '@parley/protocol';

/**
 * Pushes events to online sessions and manages which sessions sit in which
 * room, cluster-wide (local sockets plus the relay). Best effort: the store is
 * the truth and clients sync whatever a push missed.
 */
export interface PublishOptions {
  /** A session that already has the event (the sender, from its ack): skipped. */
  exceptSession?: string;
  /** A room every receiving session is about to join (relay routing hint). */
  grantRoom?: RoomName;
}

export interface Notifier {
  publish<E extends ServerEventName>(
    rooms: readonly RoomName[],
    event: E,
    payload: ServerEventPayloads[E],
    messageId?: string,
    options?: PublishOptions,
  ): void;
  /** Every session of these users, on any node, joins `room`. */
  joinRoom(userIds: readonly string[], room: RoomName): void;
  /** Every session of these users, on any node, leaves `room`. */
  leaveRoom(userIds: readonly string[], room: RoomName): void;
}
