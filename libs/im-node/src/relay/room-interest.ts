import { isRoomName } from '@parley/protocol';
import type { RelayLink } from './relay-link';
import type { ImServer } from '../socket/socket-types';

/**
 * Mirrors Socket.IO's local rooms into relay interest: a room gains interest
 * with its first local socket and loses it with its last. Socket-id rooms are
 * not relay rooms and are ignored.
 */
export function trackRoomInterest(io: ImServer, relay: RelayLink): void {
  const adapter = io.of('/').adapter;
  adapter.on('create-room', (room: string) => {
    if (isRoomName(room)) relay.setInterest(room, true);
  });
  adapter.on('delete-room', (room: string) => {
    if (isRoomName(room)) relay.setInterest(room, false);
  });
}
