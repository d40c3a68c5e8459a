import { ParleyError } from '@parley/protocol';
import type { VerifiedToken } from '@parley/domain';
import { createLogger } from '@parley/util-node';
import { startTestSocketServer, type TestSocketServer } from '../testing/socket-server';
import { handshakeAuth } from './handshake-auth';
import type { SocketData } from './socket-types';

describe('handshakeAuth', () => {
  let server: TestSocketServer;
  const asked: string[] = [];
  const admitted: SocketData[] = [];
  /** `live` is an active sign-in; `revoked` verifies but its sign-in ended; `down` finds the store unreachable. */
  const gate = {
    admit: async (token: string): Promise<VerifiedToken> => {
      asked.push(token);
      if (token === 'live') return { userId: 'ann', username: 'ann', sessionId: 's1', expiresAt: 1_900_000_000_000 };
      if (token === 'down') throw new ParleyError('UNAVAILABLE', 'store unavailable');
      throw new ParleyError('UNAUTHORIZED', 'session ended; sign in again');
    },
  };

  beforeAll(async () => {
    server = await startTestSocketServer((io) => {
      io.use(handshakeAuth(gate, () => true, createLogger({ name: 'test', level: 'silent' })));
      io.on('connection', (socket) => void admitted.push({ ...socket.data }));
    });
  });

  afterAll(() => server.close());

  const refusal = (auth?: Record<string, unknown>): Promise<string> =>
    server.open({ auth }).then(
      () => 'connected',
      (err: Error) => err.message,
    );

  it('refuses a token whose sign-in ended (or whose user is gone) with UNAUTHORIZED, and connects nothing', async () => {
    expect(await refusal({ token: 'revoked' })).toBe('UNAUTHORIZED');
    expect(admitted).toEqual([]);
  });

  it('refuses a missing, empty, non-string or oversized token without asking the gate', async () => {
    asked.length = 0;
    for (const auth of [undefined, { token: '' }, { token: 42 }, { token: 'x'.repeat(4097) }]) expect(await refusal(auth)).toBe('UNAUTHORIZED');
    expect(asked).toEqual([]);
  });

  it('says UNAVAILABLE, not UNAUTHORIZED, when the store cannot tell: the client must not sign out for it', async () => {
    expect(await refusal({ token: 'down' })).toBe('UNAVAILABLE');
  });

  it('admits an active sign-in and keeps its user, sign-in and expiry on the socket', async () => {
    expect(await refusal({ token: 'live' })).toBe('connected');
    expect(admitted).toEqual([{ userId: 'ann', username: 'ann', sessionId: 's1', expiresAt: 1_900_000_000_000 }]);
  });
});
