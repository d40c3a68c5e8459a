import { createLogger } from '@parley/util-node';
import type { Socket as ClientSocket } from 'socket.io-client';
import { startTestSocketServer, type TestSocketServer } from '../testing/socket-server';
import { createCommandDispatcher, InFlight } from './command-dispatch';
import type { CommandHandlers } from './commands/types';
import { SocketBudget } from './socket-budget';

/** The dispatcher with a socket budget: what is over budget is answered RATE_LIMITED and never runs. */
describe('command dispatch with a socket budget', () => {
  let server: TestSocketServer;
  let now = 1_700_000_000_000;
  const ran: string[] = [];

  beforeAll(async () => {
    const handlers = {
      'friend:list': async (ctx) => {
        ran.push(ctx.userId);
        return { friends: [] };
      },
    } as Partial<CommandHandlers> as CommandHandlers;
    const budget = new SocketBudget({ now: () => now }, { burst: 20, ratePerSec: 10 });
    const membership = { resync: async () => undefined };
    const logger = createLogger({ name: 'test', level: 'silent' });
    const dispatch = createCommandDispatcher(handlers, membership, new InFlight(), logger, budget, () => now);
    server = await startTestSocketServer((io) => {
      io.use((socket, next) => {
        socket.data.userId = String((socket.handshake.auth as { userId?: unknown }).userId);
        socket.data.expiresAt = Number.POSITIVE_INFINITY;
        next();
      });
      io.on('connection', (socket) => socket.onAny(dispatch));
    });
  });

  afterAll(() => server.close());

  const ask = (c: ClientSocket, name = 'friend:list') => c.timeout(5000).emitWithAck(name, {}) as Promise<Record<string, unknown>>;

  it('refuses a flood past the budget without running it, while another socket is served', async () => {
    const [mallory, alice] = await Promise.all([server.open({ auth: { userId: 'mallory' } }), server.open({ auth: { userId: 'alice' } })]);
    const answers = await Promise.all(Array.from({ length: 200 }, () => ask(mallory)));
    const refused = answers.filter((a) => a.ok === false);
    expect(answers.filter((a) => a.ok === true)).toHaveLength(20);
    expect(refused).toHaveLength(180);
    expect(refused[0]).toEqual({
      ok: false,
      error: { code: 'RATE_LIMITED', message: expect.any(String), retryAfterMs: 100 },
    });
    expect(ran.filter((u) => u === 'mallory')).toHaveLength(20);
    // Unknown commands cost too: they are refused for the budget before their name is looked at.
    expect(await ask(mallory, 'no:such')).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    await expect(ask(alice)).resolves.toEqual({ ok: true, friends: [] });

    now += 100; // the wait the node gave
    await expect(ask(mallory)).resolves.toEqual({ ok: true, friends: [] });
  });
});
