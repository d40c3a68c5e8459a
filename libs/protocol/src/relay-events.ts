import type { RoomName } from './ids';
import { SERVER_EVENT_NAMES, type ServerEventName, type ServerEventPayloads } from './socket';

/*
 * The relay's first allow-list, superseded by `decodeRelayFrame` (relay-frames.ts),
 * which also validates payloads and refuses node-local events. Kept until
 * im-node and the relay publish and decode through relay-frames.ts.
 */

/** Node-to-node control events carried by the relay beside the client-facing ones. */
export interface RelayControlPayloads {
  /** Every local session of `users` joins `room`. */
  'room:join': { users: string[]; room: RoomName };
  'room:leave': { users: string[]; room: RoomName };
}
export type RelayControlEvent = keyof RelayControlPayloads;
export type RelayEventName = ServerEventName | RelayControlEvent;
export type RelayEventPayloads = ServerEventPayloads & RelayControlPayloads;

const RELAY_EVENTS: ReadonlySet<string> = new Set<RelayEventName>([...SERVER_EVENT_NAMES, 'room:join', 'room:leave']);

/** @deprecated Accepts node-local events and checks no payload: use `decodeRelayFrame`. */
export function isRelayEventName(name: string): name is RelayEventName {
  return RELAY_EVENTS.has(name);
}

export function isRelayControlEvent(name: RelayEventName): name is RelayControlEvent {
  return name === 'room:join' || name === 'room:leave';
}
