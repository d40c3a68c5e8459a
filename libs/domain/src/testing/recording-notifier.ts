import type { RoomName, ServerEventName, ServerEventPayloads } from '@parley/protocol';
import type { Notifier, PublishOptions } from '../ports';

export type RecordedEvent =
  | {
      kind: 'publish';
      rooms: readonly RoomName[];
      event: ServerEventName;
      payload: unknown;
      messageId?: string;
      options?: PublishOptions;
    }
  | { kind: 'join' | 'leave'; userIds: readonly string[]; room: RoomName };

/** A Notifier for tests: remembers every push and room change in order. */
export class RecordingNotifier implements Notifier {
  readonly events: RecordedEvent[] = [];

  publish<E extends ServerEventName>(
    rooms: readonly RoomName[],
    event: E,
    payload: ServerEventPayloads[E],
    messageId?: string,
    options?: PublishOptions,
  ): void {
    this.events.push({ kind: 'publish', rooms, event, payload, messageId, options });
  }

  async publishConfirmed<E extends ServerEventName>(
    rooms: readonly RoomName[],
    event: E,
    payload: ServerEventPayloads[E],
  ): Promise<void> {
    this.publish(rooms, event, payload);
  }

  joinRoom(userIds: readonly string[], room: RoomName): void {
    this.events.push({ kind: 'join', userIds, room });
  }

  async leaveRoom(userIds: readonly string[], room: RoomName): Promise<void> {
    this.events.push({ kind: 'leave', userIds, room });
  }

  published(event: ServerEventName): Extract<RecordedEvent, { kind: 'publish' }>[] {
    return this.events.filter((e): e is Extract<RecordedEvent, { kind: 'publish' }> => e.kind === 'publish' && e.event === event);
  }
}
