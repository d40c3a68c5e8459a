import { ParleyError, userRoom, type SessionEndReason } from '@parley/protocol';
import type { SessionGate } from '@parley/domain';
import { createLogger } from '@parley/util-node';
import type { Socket as ClientSocket } from 'socket.io-client';
import { startTestSocketServer, type TestSocketServer } from '../testing/socket-server';
import { createCommandDispatcher, InFlight } from './command-dispatch';
import { createAuthCommands } from './commands/auth';
import type { CommandHandlers } from './commands/types';
import { SessionEnds } from './session-ends';

const T0 = 1_800_000_000_000;

/** What a client saw at the end: the reason of `session:ended` (if any) and the disconnect reason, in order. */
function ending(client: ClientSocket): Promise<string[]> {
  const seen: string[] = [];
  client.on('session:ended', ({ reason }: { reason: SessionEndReason }) => void seen.push(`session:ended ${reason}`));
  return new Promise((resolve) =>
    client.once('disconnect', (reason) => {
      seen.push(reason);
      resolve(seen);
    }),
  );
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('SessionEnds and the expiry check', () => {
  let server: TestSocketServer;
  let now = T0;
  let ends: SessionEnds;
  /** Accepts a token `ok:<userId>:<sessionId>:<expiresAt>`, for the socket's own user and sign-in only. */
  const gate = {
    renew: async (current: { userId: string; sessionId: string }, token: string) => {
      const [tag, userId, sessionId, expiresAt] = token.split(':');
      if (tag !== 'ok') throw new ParleyError('UNAUTHORIZED', 'bad token');
      if (userId !== current.userId || sessionId !== current.sessionId) throw new ParleyError('FORBIDDEN', 'not yours');
      return { userId, username: userId, sessionId, expiresAt: Number(expiresAt) };
    },
  } as unknown as SessionGate;

  beforeAll(async () => {
    const clock = { now: () => now };
    const handlers = {
      ...createAuthCommands({ sessionGate: gate }),
      'conversation:list': async () => ({ conversations: [] }),
    } as Partial<CommandHandlers> as CommandHandlers;
    const membership = { resync: async () => undefined };
    const logger = createLogger({ name: 'test', level: 'silent' });
    const dispatch = createCommandDispatcher(handlers, membership, new InFlight(), logger, { clock });
    server = await startTestSocketServer((io) => {
      ends = new SessionEnds(io, clock, { rememberMs: 10_000 });
      io.use((socket, next) => {
        const auth = socket.handshake.auth as { userId: string; sessionId: string; expiresAt?: number };
        Object.assign(socket.data, { userId: auth.userId, username: auth.userId, sessionId: auth.sessionId, expiresAt: auth.expiresAt ?? T0 + 60_000 });
        next();
      });
      io.on('connection', (socket) => {
        void socket.join(userRoom(socket.data.userId));
        socket.onAny(dispatch);
        ends.admit(socket);
      });
    });
  });

  beforeEach(() => {
    now = T0;
  });

  afterAll(() => server.close());

  const open = (userId: string, sessionId: string, expiresAt?: number) => server.open({ auth: { userId, sessionId, expiresAt } });
  const list = (c: ClientSocket) => c.timeout(5_000).emitWithAck('conversation:list', {});
  const renew = (c: ClientSocket, token: string) => c.timeout(5_000).emitWithAck('auth:renew', { token });

  it("ends exactly the revoked sign-ins' sockets: session:ended first, then the server's disconnect", async () => {
    const [phone, laptop, kept, other] = await Promise.all([
      open('ann', 'phone'),
      open('ann', 'laptop'),
      open('ann', 'kept'),
      open('bob', 'phone'), // same sign-in id, another user: untouched
    ]);
    const endings = [ending(phone), ending(laptop)];
    expect(ends.end('ann', ['phone', 'laptop', 'gone-already'], 'logout-all')).toBe(2);
    for (const seen of await Promise.all(endings)) expect(seen).toEqual(['session:ended logout-all', 'io server disconnect']);
    await expect(list(kept)).resolves.toEqual({ ok: true, conversations: [] });
    await expect(list(other)).resolves.toEqual({ ok: true, conversations: [] });
    expect(kept.connected && other.connected).toBe(true);
  });

  it('ends a socket whose handshake was under way when its sign-in ended, until it is forgotten', async () => {
    ends.end('cy', ['tablet'], 'password-changed');
    const late = await open('cy', 'tablet');
    // Connected, then ended at once: gone from the server, and the client told so.
    await until(() => !late.connected);
    expect([...server.io.of('/').sockets.values()].filter((s) => s.data.sessionId === 'tablet')).toEqual([]);
    now = T0 + 10_001;
    ends.sweep();
    const after = await open('cy', 'tablet', T0 + 60_000);
    await expect(list(after)).resolves.toEqual({ ok: true, conversations: [] });
  });

  it('refuses commands from the expiry on, and the sweep ends expired sockets only', async () => {
    const [short, long] = await Promise.all([open('dee', 'a', T0 + 1_000), open('dee', 'b', T0 + 5_000)]);
    await expect(list(short)).resolves.toEqual({ ok: true, conversations: [] });
    now = T0 + 1_000;
    await expect(list(short)).resolves.toEqual({
      ok: false,
      error: { code: 'UNAUTHORIZED', message: 'the access token expired; renew it before it does' },
    });
    // Renewing is too late as well: an expired socket runs nothing.
    await expect(renew(short, `ok:dee:a:${T0 + 9_000}`)).resolves.toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    const shortEnd = ending(short);
    expect(ends.sweep()).toBe(1);
    expect(await shortEnd).toEqual(['session:ended expired', 'io server disconnect']);
    await expect(list(long)).resolves.toEqual({ ok: true, conversations: [] });
  });

  it('auth:renew moves the expiry for a token of the same sign-in; other tokens change nothing', async () => {
    const socket = await open('eve', 'main', T0 + 1_000);
    await expect(renew(socket, `ok:mallory:main:${T0 + 99_000}`)).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await expect(renew(socket, `ok:eve:other:${T0 + 99_000}`)).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await expect(renew(socket, 'forged')).resolves.toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    await expect(renew(socket, { not: 'a string' } as unknown as string)).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    now = T0 + 1_000;
    await expect(list(socket)).resolves.toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } }); // nothing moved

    now = T0 + 500;
    const renewed = await open('eve', 'main', T0 + 1_000);
    await expect(renew(renewed, `ok:eve:main:${T0 + 20_000}`)).resolves.toEqual({ ok: true, expiresAt: T0 + 20_000 });
    now = T0 + 19_999;
    const firstEnd = ending(socket); // never renewed
    ends.sweep();
    expect(await firstEnd).toEqual(['session:ended expired', 'io server disconnect']);
    await expect(list(renewed)).resolves.toEqual({ ok: true, conversations: [] });
    now = T0 + 20_000;
    const end = ending(renewed);
    ends.sweep();
    expect(await end).toEqual(['session:ended expired', 'io server disconnect']);
  });
});
