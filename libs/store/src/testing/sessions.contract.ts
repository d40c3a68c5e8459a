import type { NewAuthSession, Store } from '@parley/domain';
import type { StoreContractContext } from './contract-context';

const DAY = 86_400_000;

/** AuthSessionStore: sign-ins, their rotating refresh tokens (hashes only) and revocation. */
export function describeAuthSessionStoreContract(ctx: StoreContractContext): void {
  const { createUser, nextId, now } = ctx;

  describe('AuthSessionStore', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store();
    });

    const newSession = async (userId?: string, overrides: Partial<NewAuthSession> = {}): Promise<NewAuthSession> => {
      const at = now();
      const session: NewAuthSession = {
        id: nextId('S'),
        userId: userId ?? (await createUser()).id,
        refreshHash: nextId('hash-'),
        createdAt: at,
        expiresAt: at + DAY,
        userAgent: 'contract-test/1.0',
        passwordHash: 'hash', // what ctx.createUser stores
        ...overrides,
      };
      expect(await store.createAuthSession(session)).not.toBeNull();
      return session;
    };
    /** A session for the user with their credential `passwordHash`, as a sign-in that verified it would ask. */
    const attempt = (userId: string, passwordHash = 'hash'): NewAuthSession => ({
      id: nextId('S'),
      userId,
      refreshHash: nextId('hash-'),
      createdAt: now(),
      expiresAt: now() + DAY,
      userAgent: null,
      passwordHash,
    });

    it('creates a session and reads it back without its refresh hash', async () => {
      const session = await newSession();
      const found = await store.getAuthSession(session.id);
      expect(found).toEqual({
        id: session.id,
        userId: session.userId,
        createdAt: session.createdAt,
        lastUsedAt: session.createdAt,
        expiresAt: session.expiresAt,
        revokedAt: null,
        revokeReason: null,
        userAgent: 'contract-test/1.0',
      });
      expect(JSON.stringify(found)).not.toContain(session.refreshHash);
      expect(await store.getAuthSession('nobody')).toBeNull();
    });

    it('reads many sessions and their users at once (a reconnect storm), each its own, unknown ones null', async () => {
      const sessions = await Promise.all(Array.from({ length: 30 }, () => newSession()));
      const ids = [...sessions.map((s) => s.id), 'nobody', ...sessions.map((s) => s.id)];
      const found = await Promise.all(ids.map((id) => store.getAuthSession(id)));
      expect(found.map((s) => s?.id ?? null)).toEqual(ids.map((id) => (id === 'nobody' ? null : id)));
      expect(found.map((s) => s?.userId ?? null)).toEqual([...sessions.map((s) => s.userId), null, ...sessions.map((s) => s.userId)]);
      const users = await Promise.all([...sessions.map((s) => store.getUser(s.userId)), store.getUser('nobody')]);
      expect(users.map((u) => u?.id ?? null)).toEqual([...sessions.map((s) => s.userId), null]);
    });

    it('creates nothing for an unknown or deleted user, or for a password hash that is no longer theirs', async () => {
      const nobody = attempt('nobody');
      expect(await store.createAuthSession(nobody)).toBeNull();
      expect(await store.getAuthSession(nobody.id)).toBeNull();

      const user = await createUser();
      const kept = await newSession(user.id);
      expect(await store.changePasswordHash(user.id, 'new-hash', kept.id, now())).toEqual([]);
      // A sign-in that verified the old password before the change lands after it: nothing.
      const stale = attempt(user.id, 'hash');
      expect(await store.createAuthSession(stale)).toBeNull();
      expect(await store.getAuthSession(stale.id)).toBeNull();
      const fresh = attempt(user.id, 'new-hash');
      expect(await store.createAuthSession(fresh)).toMatchObject({ id: fresh.id, userId: user.id });

      await store.deleteUser(user.id, now());
      const late = attempt(user.id, 'new-hash');
      expect(await store.createAuthSession(late)).toBeNull();
      expect(await store.getAuthSession(late.id)).toBeNull();
    });

    it('changes the password hash and revokes every other active session in one step; a deleted user changes nothing', async () => {
      const user = await createUser();
      const other = await newSession();
      const kept = await newSession(user.id);
      const a = await newSession(user.id);
      const b = await newSession(user.id);
      const at = now();
      expect((await store.changePasswordHash(user.id, 'new-hash', kept.id, at)).sort()).toEqual([a.id, b.id].sort());
      expect((await store.getUser(user.id))?.passwordHash).toBe('new-hash');
      expect(await store.getAuthSession(a.id)).toMatchObject({ revokedAt: at, revokeReason: 'password-changed' });
      expect(await store.getAuthSession(kept.id)).toMatchObject({ revokedAt: null });
      expect(await store.getAuthSession(other.id)).toMatchObject({ revokedAt: null });

      // Racing sign-ins with the old hash: each either lands first and is revoked by the change, or creates nothing.
      for (let round = 0; round < 5; round++) {
        const from = round % 2 === 0 ? 'new-hash' : 'newer-hash';
        const to = round % 2 === 0 ? 'newer-hash' : 'new-hash';
        const racer = attempt(user.id, from);
        const [created, revoked] = await Promise.all([store.createAuthSession(racer), store.changePasswordHash(user.id, to, kept.id, now())]);
        const row = await store.getAuthSession(racer.id);
        if (created) expect({ revoked: revoked.includes(racer.id), reason: row?.revokeReason }).toEqual({ revoked: true, reason: 'password-changed' });
        else expect(row).toBeNull();
      }

      const gone = await createUser();
      const last = await newSession(gone.id);
      await store.deleteUser(gone.id, now());
      await ctx.expectRefusal(store.changePasswordHash(gone.id, 'x', last.id, now()), 'NOT_FOUND', 'user-not-found');
      await ctx.expectRefusal(store.changePasswordHash('nobody', 'x', 'S-none', now()), 'NOT_FOUND', 'user-not-found');
      expect((await store.getUser(gone.id))?.passwordHash).toBe('');
    });

    it('rotates the current hash once; the previous one is then reported reused, any other unknown', async () => {
      const session = await newSession();
      const at = now();
      expect(await store.rotateRefreshToken(session.id, session.refreshHash, 'second', at, at + 2 * DAY)).toBe('rotated');
      expect(await store.getAuthSession(session.id)).toMatchObject({ lastUsedAt: at, expiresAt: at + 2 * DAY });
      // The thief replays the old token: refused, the current one untouched.
      expect(await store.rotateRefreshToken(session.id, session.refreshHash, 'thief', now(), now() + DAY)).toBe('reused');
      expect(await store.rotateRefreshToken(session.id, 'made-up', 'x', now(), now() + DAY)).toBe('unknown');
      expect(await store.rotateRefreshToken('nobody', session.refreshHash, 'x', now(), now() + DAY)).toBe('unknown');
      // The honest client goes on with the current one.
      expect(await store.rotateRefreshToken(session.id, 'second', 'third', now(), now() + DAY)).toBe('rotated');
      expect(await store.rotateRefreshToken(session.id, 'second', 'x', now(), now() + DAY)).toBe('reused');
      // Two generations back is no longer known.
      expect(await store.rotateRefreshToken(session.id, session.refreshHash, 'x', now(), now() + DAY)).toBe('unknown');
    });

    it('lets exactly one of two racing rotations of one token win; the other sees reused', async () => {
      for (let round = 0; round < 5; round++) {
        const session = await newSession();
        const at = now();
        const outcomes = await Promise.all([
          store.rotateRefreshToken(session.id, session.refreshHash, `a${round}`, at, at + DAY),
          store.rotateRefreshToken(session.id, session.refreshHash, `b${round}`, at, at + DAY),
        ]);
        expect([...outcomes].sort()).toEqual(['reused', 'rotated']);
        const winner = outcomes[0] === 'rotated' ? `a${round}` : `b${round}`;
        expect(await store.rotateRefreshToken(session.id, winner, `c${round}`, now(), now() + DAY)).toBe('rotated');
      }
    });

    it('refuses to rotate a revoked or expired session (inactive)', async () => {
      const revoked = await newSession();
      expect(await store.revokeAuthSession(revoked.id, 'logout', now())).toBe(true);
      expect(await store.rotateRefreshToken(revoked.id, revoked.refreshHash, 'x', now(), now() + DAY)).toBe('inactive');

      const at = now();
      const expired = await newSession(undefined, { createdAt: at - 2 * DAY, expiresAt: at - DAY });
      expect(await store.rotateRefreshToken(expired.id, expired.refreshHash, 'x', at, at + DAY)).toBe('inactive');
    });

    it('revokes one session once, with its reason and time', async () => {
      const session = await newSession();
      const at = now();
      expect(await store.revokeAuthSession(session.id, 'logout', at)).toBe(true);
      expect(await store.revokeAuthSession(session.id, 'logout-all', now())).toBe(false);
      expect(await store.revokeAuthSession('nobody', 'logout', now())).toBe(false);
      expect(await store.getAuthSession(session.id)).toMatchObject({ revokedAt: at, revokeReason: 'logout' });
    });

    it("revokes every active session of a user but the one kept, and nobody else's", async () => {
      const user = await createUser();
      const other = await newSession();
      const kept = await newSession(user.id);
      const a = await newSession(user.id);
      const b = await newSession(user.id);
      const gone = await newSession(user.id);
      await store.revokeAuthSession(gone.id, 'logout', now());
      const at = now();
      expect((await store.revokeUserAuthSessions(user.id, 'password-changed', at, kept.id)).sort()).toEqual([a.id, b.id].sort());
      expect(await store.getAuthSession(a.id)).toMatchObject({ revokedAt: at, revokeReason: 'password-changed' });
      expect(await store.getAuthSession(gone.id)).toMatchObject({ revokeReason: 'logout' });
      expect(await store.getAuthSession(kept.id)).toMatchObject({ revokedAt: null });
      expect(await store.getAuthSession(other.id)).toMatchObject({ revokedAt: null });
      expect(await store.revokeUserAuthSessions(user.id, 'logout-all', now())).toEqual([kept.id]);
      expect(await store.revokeUserAuthSessions(user.id, 'logout-all', now())).toEqual([]);
    });
  });
}
