import type { GroupRoomName, RelayableEventName, RoomName, ServerEventPayloads } from '@parley/protocol';

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
  publish<E extends RelayableEventName>(
    rooms: readonly RoomName[],
    event: E,
    payload: ServerEventPayloads[E],
    messageId?: string,
    options?: PublishOptions,
  ): void;
  /**
   * Like publish, but resolves only once every node holding a session in
   * `rooms` has applied the event (bounded wait): a removal is acknowledged
   * after the removed side's sessions know it.
   */
  publishConfirmed<E extends RelayableEventName>(rooms: readonly RoomName[], event: E, payload: ServerEventPayloads[E]): Promise<void>;
  /** Every session of these users, on any node, joins `room`. */
  joinRoom(userIds: readonly string[], room: GroupRoomName): void;
  /**
   * Every session of these users, on any node, leaves `room`. Resolves once
   * every node holding such a session has applied it (bounded wait), so no
   * node pushes the room's later messages to them.
   */
  leaveRoom(userIds: readonly string[], room: GroupRoomName): Promise<void>;
}
