import { ParleyError } from '@parley/protocol';
import type { AuthSessionRecord, TokenService, UserRecord, VerifiedToken } from '../ports';
import { SessionGate } from './session-gate';

const NOW = 1_800_000_000_000;

/** Tokens are their claims as JSON; anything else does not verify. */
const tokens: TokenService = {
  issue: () => {
    throw new Error('not used');
  },
  verify: (token) => {
    try {
      return JSON.parse(token) as VerifiedToken;
    } catch {
      throw new ParleyError('UNAUTHORIZED', 'bad token');
    }
  },
};
const token = (claims: Partial<VerifiedToken> = {}): string =>
  JSON.stringify({ userId: 'ann', username: 'ann', sessionId: 's1', expiresAt: NOW + 60_000, ...claims });

function gate(session: Partial<AuthSessionRecord> | null = {}, user: Partial<UserRecord> | null = {}) {
  const reads: string[] = [];
  const store = {
    getAuthSession: async (id: string) => {
      reads.push(`session ${id}`);
      return session && { id, userId: 'ann', createdAt: NOW - 1, lastUsedAt: NOW - 1, expiresAt: NOW + 86_400_000, revokedAt: null, revokeReason: null, userAgent: null, ...session };
    },
    getUser: async (id: string) => {
      reads.push(`user ${id}`);
      return user && ({ id, username: id, deletedAt: null, suspendedAt: null, admin: false, ...user } as UserRecord);
    },
  };
  return { gate: new SessionGate({ tokens, store, clock: { now: () => NOW } }), reads };
}

const code = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'admitted',
    (err: unknown) => (err instanceof ParleyError ? err.code : `thrown ${String(err)}`),
  );

describe('SessionGate', () => {
  it('admits a valid token of an active sign-in of a live user, reading each once', async () => {
    const { gate: g, reads } = gate();
    await expect(g.admit(token())).resolves.toMatchObject({ userId: 'ann', sessionId: 's1', expiresAt: NOW + 60_000 });
    expect(reads.sort()).toEqual(['session s1', 'user ann']);
  });

  it.each([
    ['a revoked sign-in', { revokedAt: NOW - 5, revokeReason: 'logout' as const }, {}],
    ['an expired sign-in', { expiresAt: NOW }, {}],
    ['an unknown sign-in', null, {}],
    ["another user's sign-in", { userId: 'eve' }, {}],
    ['a deleted user', {}, { deletedAt: NOW - 5 }],
    ['a sign-in an operator ended (disconnected)', { revokedAt: NOW - 5, revokeReason: 'disconnected' as const }, {}],
    ['a suspended user (sign-in revoked)', { revokedAt: NOW - 5, revokeReason: 'suspended' as const }, { suspendedAt: NOW - 5 }],
    ['a suspended user whose sign-in was somehow left active', {}, { suspendedAt: NOW - 5 }],
    ['a user who does not exist', {}, null],
  ])('refuses a well-signed token of %s with UNAUTHORIZED', async (_name, session, user) => {
    expect(await code(gate(session, user).gate.admit(token()))).toBe('UNAUTHORIZED');
  });

  it('refuses a token that does not verify before reading anything', async () => {
    const { gate: g, reads } = gate();
    expect(await code(g.admit('forged'))).toBe('UNAUTHORIZED');
    expect(reads).toEqual([]);
  });

  describe('renew (auth:renew)', () => {
    const current = { userId: 'ann', sessionId: 's1' };

    it('accepts a fresh token of the same user and sign-in', async () => {
      await expect(gate().gate.renew(current, token({ expiresAt: NOW + 120_000 }))).resolves.toMatchObject({ expiresAt: NOW + 120_000 });
    });

    it("refuses another user's valid token, or another sign-in's of the same user, with FORBIDDEN", async () => {
      expect(await code(gate({ userId: 'eve' }).gate.renew(current, token({ userId: 'eve', username: 'eve' })))).toBe('FORBIDDEN');
      expect(await code(gate().gate.renew(current, token({ sessionId: 's2' })))).toBe('FORBIDDEN');
    });

    it('refuses a token of the same sign-in once it was revoked', async () => {
      expect(await code(gate({ revokedAt: NOW - 1 }).gate.renew(current, token()))).toBe('UNAUTHORIZED');
    });
  });
});
