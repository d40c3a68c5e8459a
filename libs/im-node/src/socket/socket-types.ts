import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, RoomName, ServerToClientEvents } from '@parley/protocol';

export interface SocketData {
  userId: string;
  username: string;
  /** Rooms loaded during the handshake, joined on connection. */
  initialRooms?: RoomName[];
}

/** No inter-server events: the relay carries everything between nodes. */
export type InterServerEvents = Record<string, never>;
export type ImServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ImSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
