import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, RoomName, ServerToClientEvents } from '@parley/protocol';

export interface SocketData {
  userId: string;
  username: string;
  /** Rooms loaded during the handshake, joined on connection. */
  initialRooms?: RoomName[];
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no inter-server events: the relay carries those
export type InterServerEvents = {};
export type ImServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ImSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
