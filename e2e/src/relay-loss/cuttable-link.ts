import net from 'node:net';

/**
 * A TCP forwarder between one node and a gateway's relay, so a test can cut
 * that one node off from every gateway while the others stay connected
 * (stopping the gateway would cut them all, and a node whose own relay
 * link drops resyncs every session: that would hide the notice under test).
 */
export interface CuttableLink {
  /** `127.0.0.1:<port>`: what the node dials instead of the gateway. */
  readonly address: string;
  /** Drops every forwarded connection and refuses new ones until `mend()`. */
  cut(): void;
  mend(): void;
  stop(): Promise<void>;
}

/** Listens on `port`; forwards to `target()` (`host:port`), read at each connection; refuses while it is undefined. */
export async function startCuttableLink(port: number, target: () => string | undefined): Promise<CuttableLink> {
  const open = new Set<net.Socket>();
  let cutOff = false;
  const server = net.createServer((inbound) => {
    const to = target();
    if (cutOff || to === undefined) {
      inbound.destroy();
      return;
    }
    const [host = '', portText = ''] = to.split(':');
    const outbound = net.connect(Number(portText), host);
    for (const socket of [inbound, outbound]) {
      open.add(socket);
      socket.on('close', () => {
        open.delete(socket);
        // Either side gone ends the pair, as a cut cable would.
        inbound.destroy();
        outbound.destroy();
      });
      socket.on('error', () => socket.destroy());
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    address: `127.0.0.1:${port}`,
    cut() {
      cutOff = true;
      for (const socket of open) socket.destroy();
    },
    mend() {
      cutOff = false;
    },
    async stop() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
