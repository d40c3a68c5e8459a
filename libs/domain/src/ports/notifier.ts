import type { RoomName, ServerEventName, ServerEventPayloads } from '@parley/protocol';

/**
 * Pushes an event to every online session in the given rooms, on any node.
 * Best effort: the store is the truth, clients sync what a push missed.
 */
export interface Notifier {
  publish<E extends ServerEventName>(rooms: readonly RoomName[], event: E, payload: ServerEventPayloads[E], messageId?: string): void;
}
