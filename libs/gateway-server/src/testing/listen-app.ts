import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface ListeningApp {
  server: Server;
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** Drops open (keep-alive) connections and stops listening. */
  close(): Promise<void>;
}

/** An Express app of a route spec on a free loopback port. */
export async function listenApp(app: Express): Promise<ListeningApp> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    server,
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
