import type { RoomName, ServerEventName, ServerEventPayloads } from '@parley/protocol';

/**
 * Pushes events to online sessions and manages which sessions sit in which
 * room, cluster-wide (local sockets plus the relay). Best effort: the store is
 * the truth and clients sync whatever a push missed.
 */
export interface Notifier {
  publish<E extends ServerEventName>(
    rooms: readonly RoomName[],
    event: E,
    payload: ServerEventPayloads[E],
    messageId?: string,
  ): void;
  /** Every session of these users, on any node, joins `room`. */
  joinRoom(userIds: readonly string[], room: RoomName): void;
  /** Every session of these users, on any node, leaves `room`. */
  leaveRoom(userIds: readonly string[], room: RoomName): void;
}
