import { createLogger } from '@parley/util-node';
import type { Socket as ClientSocket } from 'socket.io-client';
import { startTestSocketServer, type TestSocketServer } from '../testing/socket-server';
import { createCommandDispatcher, InFlight } from './command-dispatch';
import type { CommandHandlers } from './commands/types';
import type { ImSocket } from './socket-types';

describe('createCommandDispatcher', () => {
  let server: TestSocketServer;

  beforeAll(async () => {
    // Only the command under test; it answers with what its context says about the caller.
    const handlers = {
      'conversation:list': async (ctx) => {
        await ctx.resyncRooms();
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { conversations: [], userId: ctx.userId, socketId: ctx.socketId };
      },
    } as Partial<CommandHandlers> as CommandHandlers;
    // Stands in for the store-backed membership: each user belongs to one room of its own.
    const membership = { resync: async (socket: ImSocket) => void (await socket.join(`user:${socket.data.userId}-joined`)) };
    const dispatch = createCommandDispatcher(handlers, membership, new InFlight(), createLogger({ name: 'test', level: 'silent' }), { clock: { now: () => 0 } });
    server = await startTestSocketServer((io) => {
      io.use((socket, next) => {
        socket.data.userId = String((socket.handshake.auth as { userId?: unknown }).userId);
        next();
      });
      io.on('connection', (socket) => socket.onAny(dispatch));
    });
  });

  afterAll(() => server.close());

  const open = (userId: string) => server.open({ auth: { userId } });

  it('runs each command as the socket that sent it, with one listener shared by all sockets', async () => {
    const [alice, bob] = await Promise.all([open('alice'), open('bob')]);
    const ask = (c: ClientSocket) => c.timeout(5000).emitWithAck('conversation:list', {});
    const answers = await Promise.all([ask(alice), ask(bob), ask(alice)]);
    expect(answers).toEqual([
      { ok: true, conversations: [], userId: 'alice', socketId: alice.id },
      { ok: true, conversations: [], userId: 'bob', socketId: bob.id },
      { ok: true, conversations: [], userId: 'alice', socketId: alice.id },
    ]);
    const sockets = [...server.io.of('/').sockets.values()];
    const rooms = Object.fromEntries(sockets.map((s) => [s.data.userId, [...s.rooms].filter((r) => r !== s.id)]));
    expect(rooms).toEqual({ alice: ['user:alice-joined'], bob: ['user:bob-joined'] });
    const [first, second] = sockets.map((s) => s.listenersAny());
    expect(first).toHaveLength(1);
    expect(first?.[0]).toBe(second?.[0]);
  });

  it('answers an unknown command with INVALID_ARGUMENT', async () => {
    const client = await open('carol');
    await expect(client.timeout(5000).emitWithAck('no:such', {})).resolves.toEqual({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: 'unknown command "no:such"' },
    });
  });
});
