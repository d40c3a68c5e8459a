import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, RoomName, ServerToClientEvents } from '@parley/protocol';

/** A store read of a user's rooms, to be settled against what happened since (relay/room-membership). */
export interface RoomsRead {
  rooms: RoomName[];
  mark: number;
}

export interface SocketData {
  userId: string;
  username: string;
  /** The sign-in (token `sid`) this socket runs under: revoking it ends the socket. */
  sessionId: string;
  /** When the socket's access token expires (epoch ms); `auth:renew` moves it. */
  expiresAt: number;
  /** Rooms read during the handshake, settled and joined on connection. */
  roomsRead?: RoomsRead;
}

/** No inter-server events: the relay carries everything between nodes. */
export type InterServerEvents = Record<string, never>;
export type ImServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ImSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
