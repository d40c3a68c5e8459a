import type { Socket as ClientSocket } from 'socket.io-client';
import { startTestSocketServer, type TestSocketServer } from '../testing/socket-server';
import { RoomResync } from './room-resync';

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('RoomResync', () => {
  const WINDOW_MS = 300;
  let server: TestSocketServer;
  let resync: RoomResync;
  const notices = new Map<string, number[]>();

  beforeEach(async () => {
    notices.clear();
    server = await startTestSocketServer((io) => {
      resync = new RoomResync(io, { now: () => Date.now() }, WINDOW_MS);
      io.on('connection', (socket) => {
        const rooms = (socket.handshake.auth as { rooms: string[] }).rooms;
        void socket.join(rooms);
      });
    });
  });

  afterEach(async () => {
    resync.stop();
    await server.close();
  });

  async function client(name: string, rooms: string[]): Promise<ClientSocket> {
    const socket = await server.open({ auth: { rooms } });
    notices.set(name, []);
    socket.on('server:resync', ({ withinMs }: { withinMs: number }) => notices.get(name)?.push(withinMs));
    // Joined server-side right after connect: wait until the room is there.
    await until(() => rooms.every((room) => server.io.of('/').adapter.rooms.get(room)?.size));
    return socket;
  }

  const count = (name: string): number => notices.get(name)?.length ?? 0;

  it('tells only the sockets in the rooms, each once, with the spread to sync over', async () => {
    await client('a', ['group:g', 'user:a']);
    await client('b', ['user:b']);
    await client('c', ['group:g', 'user:c']);
    resync.rooms(['group:g', 'user:a', 'user:nobody']);
    await until(() => count('a') === 1 && count('c') === 1);
    expect(notices.get('a')).toEqual([WINDOW_MS]);
    expect(count('b')).toBe(0);
    expect(resync.sent).toBe(2);
  });

  it('a thousand reports at once: one notice per socket in the window, and one more when it ends', async () => {
    await client('a', ['group:g']);
    await client('b', ['user:b']);
    for (let i = 0; i < 1_000; i++) resync.rooms(['group:g']);
    resync.all();
    await until(() => count('a') === 1 && count('b') === 1);
    expect(resync.sent).toBe(2);
    // The reports after the first were not dropped: a loss after the first sync is caught by a second, a window later.
    await until(() => count('a') === 2);
    expect(count('b')).toBe(1); // asked once only: nothing deferred
    expect(resync.sent).toBe(3);
  });
});
