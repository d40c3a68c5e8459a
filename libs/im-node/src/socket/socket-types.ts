import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '@parley/protocol';
import type { RoomsRead } from '../relay/room-membership';

export interface SocketData {
  userId: string;
  username: string;
  /** Rooms read during the handshake, settled and joined on connection. */
  roomsRead?: RoomsRead;
}

/** No inter-server events: the relay carries everything between nodes. */
export type InterServerEvents = Record<string, never>;
export type ImServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ImSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
