import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type ServerOptions } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import type { ImServer } from '../socket/socket-types';

/** A bare Socket.IO server on a free loopback port, for tests of the socket layer; `configure` runs before it listens. */
export interface TestSocketServer {
  io: ImServer;
  /** Connects a client and resolves once it is connected. */
  open(options?: { auth?: Record<string, unknown>; transports?: ('websocket' | 'polling')[] }): Promise<ClientSocket>;
  close(): Promise<void>;
}

export async function startTestSocketServer(
  configure: (io: ImServer) => void,
  options: Partial<ServerOptions> = {},
): Promise<TestSocketServer> {
  const httpServer = http.createServer();
  const io = new Server(httpServer, options) as ImServer;
  configure(io);
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  const clients: ClientSocket[] = [];
  return {
    io,
    async open({ auth, transports = ['websocket'] } = {}) {
      const client = connect(url, { auth, transports, forceNew: true, reconnection: false });
      clients.push(client);
      await new Promise<void>((resolve, reject) => {
        client.once('connect', resolve);
        client.once('connect_error', reject);
      });
      return client;
    },
    async close() {
      for (const c of clients) c.close();
      await new Promise<void>((resolve) => void io.close(() => resolve()));
    },
  };
}
