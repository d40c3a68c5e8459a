import type http from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';
import { at } from '@parley/testing';
import { startTestSocketServer, type TestSocketServer } from '../testing/socket-server';
import { releaseHandshakeState } from './connection-memory';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Full GCs with turns of the event loop between them: WeakRefs clear only after their job. */
async function collectGarbage(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
}

describe('releaseHandshakeState', () => {
  let server: TestSocketServer;
  /** Every handshake request the engine saw, held weakly. */
  const requests: WeakRef<http.IncomingMessage>[] = [];

  beforeEach(async () => {
    server = await startTestSocketServer(
      (io) => {
        releaseHandshakeState(io);
        io.engine.use((req: http.IncomingMessage, _res: unknown, next: () => void) => {
          requests.push(new WeakRef(req));
          next();
        });
      },
      { perMessageDeflate: false },
    );
  });

  afterEach(async () => {
    requests.length = 0;
    await server.close();
  });

  /** The server side of the only connection. */
  function serverSocket() {
    return at([...server.io.of('/').sockets.values()], 0, 'server-side connection');
  }

  it('keeps no WebSocket handshake request alive while the connection is open', async () => {
    const client = await server.open();
    await collectGarbage();
    expect(requests).toHaveLength(1);
    expect(at(requests, 0, 'handshake request').deref()).toBeUndefined();
    // The connection still works both ways and closes cleanly.
    const socket = serverSocket();
    const received = new Promise((resolve) => client.once('server:resync', resolve));
    socket.emit('server:resync', { withinMs: 1 });
    await expect(received).resolves.toEqual({ withinMs: 1 });
    const gone = new Promise((resolve) => socket.once('disconnect', resolve));
    client.close();
    await expect(gone).resolves.toBe('client namespace disconnect');
  });

  it('leaves no pre-upgrade error listener on a direct WebSocket', async () => {
    const seen = new Promise<string[]>((resolve) =>
      server.io.engine.once('connection', (raw: { transport: { socket: NodeJS.EventEmitter } }) =>
        setImmediate(() => resolve(raw.transport.socket.listeners('error').map((l) => l.name))),
      ),
    );
    await server.open();
    const names = await seen;
    expect(names).not.toContain('onUpgradeError');
    expect(names.length).toBeGreaterThan(0); // the transport's own handler stays
  });

  it('still serves long-polling and its upgrade to WebSocket', async () => {
    const client = await server.open({ transports: ['polling', 'websocket'] });
    const engine = client.io.engine;
    if (engine.transport.name !== 'websocket') await new Promise<void>((resolve) => engine.once('upgrade', () => resolve()));
    expect(engine.transport.name).toBe('websocket');
    const received = new Promise((resolve) => client.once('server:resync', resolve));
    serverSocket().emit('server:resync', { withinMs: 2 });
    await expect(received).resolves.toEqual({ withinMs: 2 });
  });
});
