import { MemoryThrottleFactory } from '@parley/limits';
import type { FriendRequest } from '@parley/protocol';
import { at } from '@parley/testing';
import { createLogger } from '@parley/util-node';
import type { Socket as ClientSocket } from 'socket.io-client';
import { startTestSocketServer, type TestSocketServer } from '../testing/socket-server';
import { createCommandDispatcher, InFlight, type DispatchLimits } from './command-dispatch';
import type { CommandHandlers } from './commands/types';
import { SocketBudget } from './socket-budget';
import { UserSocialQuota } from './social-quota';

/** The dispatcher with its limits: what is over them is answered RATE_LIMITED and never runs. */
describe('command dispatch with a command budget and a social quota', () => {
  let server: TestSocketServer;
  /** Two more nodes with roomy budgets, sharing one social counter (what Redis is in a cluster). */
  let nodes: TestSocketServer[];
  let now = 1_700_000_000_000;
  const ran: string[] = [];

  beforeAll(async () => {
    const handlers = {
      'friend:list': async (ctx) => {
        ran.push(ctx.userId);
        return { friends: [] };
      },
      'friend:request': async (ctx, p) => {
        ran.push(`${ctx.userId}→${p.userId}`);
        return { request: { id: p.userId } as Partial<FriendRequest> as FriendRequest };
      },
    } as Partial<CommandHandlers> as CommandHandlers;
    const membership = { resync: async () => undefined };
    const logger = createLogger({ name: 'test', level: 'silent' });
    const clock = { now: () => now };
    const start = (limits: DispatchLimits) => {
      const dispatch = createCommandDispatcher(handlers, membership, new InFlight(), logger, limits);
      return startTestSocketServer((io) => {
        io.use((socket, next) => {
          socket.data.userId = String((socket.handshake.auth as { userId?: unknown }).userId);
          socket.data.expiresAt = Number.POSITIVE_INFINITY;
          next();
        });
        io.on('connection', (socket) => socket.onAny(dispatch));
      });
    };
    server = await start({ clock, budget: new SocketBudget(clock, { burst: 20, ratePerSec: 10 }) });
    // 20 points per 10 min across the cluster: four friend requests (5 each).
    const factory = new MemoryThrottleFactory();
    const social = () => new UserSocialQuota(factory, { points: 20, windowSec: 600 }, clock, logger);
    nodes = await Promise.all([1, 2].map(() => start({ clock, budget: new SocketBudget(clock, { burst: 200, ratePerSec: 40 }), social: social() })));
  });

  afterAll(async () => {
    await server.close();
    for (const node of nodes) await node.close();
  });

  const ask = (c: ClientSocket, name = 'friend:list', payload: object = {}) => c.timeout(5000).emitWithAck(name, payload) as Promise<Record<string, unknown>>;
  const openAs = (userId: string, n: number) => Promise.all(Array.from({ length: n }, () => server.open({ auth: { userId } })));

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

  it('shares one budget among all sockets of a user: more sockets do not buy more commands', async () => {
    const [eve1, eve2, eve3, eve4] = await openAs('eve', 4);
    if (!eve1 || !eve2 || !eve3 || !eve4) throw new Error('four sockets');
    const answers = await Promise.all([eve1, eve2, eve3, eve4].flatMap((c) => Array.from({ length: 10 }, () => ask(c))));
    expect(answers.filter((a) => a.ok === true)).toHaveLength(20); // the burst of one, not of four
    expect(ran.filter((u) => u === 'eve')).toHaveLength(20);
    // A reconnect gets no fresh budget either.
    eve1.close();
    const [again] = await openAs('eve', 1);
    if (!again) throw new Error('a socket');
    await expect(ask(again)).resolves.toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
  });

  it('limits requests to other people per user, whatever the sockets, answering RATE_LIMITED with the wait', async () => {
    // Two sockets on each of two nodes: each node's budget alone would let all 20 through.
    const sockets = (await Promise.all(nodes.map((node) => Promise.all([1, 2].map(() => node.open({ auth: { userId: 'spammer' } })))))).flat();
    const answers = await Promise.all(sockets.flatMap((c, i) => Array.from({ length: 5 }, (_, j) => ask(c, 'friend:request', { userId: `victim-${i}-${j}` }))));
    expect(answers.filter((a) => a.ok === true)).toHaveLength(4);
    const refused = answers.filter((a) => a.ok === false);
    expect(refused).toHaveLength(16);
    expect(refused[0]).toEqual({ ok: false, error: { code: 'RATE_LIMITED', message: expect.any(String), retryAfterMs: expect.any(Number) } });
    expect(ran.filter((r) => r.startsWith('spammer→'))).toHaveLength(4);
    // An honest user's own requests and the spammer's reads are unaffected.
    const honest = await at(nodes, 1, 'a node').open({ auth: { userId: 'honest' } });
    for (const friend of ['f1', 'f2', 'f3', 'f4']) await expect(ask(honest, 'friend:request', { userId: friend })).resolves.toMatchObject({ ok: true });
    await expect(ask(at(sockets, 0, 'a socket'))).resolves.toEqual({ ok: true, friends: [] });
    // An invalid request is refused before it spends anything.
    await expect(ask(honest, 'friend:request', { userId: '' })).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });
});
