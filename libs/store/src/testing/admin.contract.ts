import type { AuditRecord, NewAuthSession, Store } from '@parley/domain';
import { at } from '@parley/testing';
import type { StoreContractContext } from './contract-context';

const DAY = 86_400_000;

/** AdminStore: suspensions (which end a user's sessions), the admin role kept in the store, and the audit log. */
export function describeAdminStoreContract(ctx: StoreContractContext): void {
  const { createUser, nextId, now } = ctx;

  describe('AdminStore', () => {
    let store: Store;
    beforeAll(() => {
      store = ctx.store();
    });

    /** A sign-in attempt for the user with the credential ctx.createUser stores. */
    const attempt = (userId: string, overrides: Partial<NewAuthSession> = {}): NewAuthSession => {
      const t = now();
      return { id: nextId('S'), userId, refreshHash: nextId('hash-'), createdAt: t, expiresAt: t + DAY, userAgent: null, passwordHash: 'hash', ...overrides };
    };
    const signIn = async (userId: string, overrides: Partial<NewAuthSession> = {}): Promise<NewAuthSession> => {
      const session = attempt(userId, overrides);
      expect(await store.createAuthSession(session)).not.toBeNull();
      return session;
    };
    const audit = (overrides: Partial<AuditRecord> = {}): AuditRecord => ({
      id: nextId('AUDIT'),
      at: now(),
      actorId: 'U-admin',
      action: 'user:suspend',
      target: nextId('U'),
      detail: 'suspended for spam',
      gatewayId: 'gw-1',
      ...overrides,
    });

    describe('suspension', () => {
      it("suspends a user and revokes their active sessions (reason suspended) in one step, nobody else's", async () => {
        const user = await createUser();
        const bystander = await signIn((await createUser()).id);
        const a = await signIn(user.id);
        const b = await signIn(user.id);
        const loggedOut = await signIn(user.id);
        await store.revokeAuthSession(loggedOut.id, 'logout', now());
        const t = now();
        const expired = await signIn(user.id, { createdAt: t - 2 * DAY, expiresAt: t - DAY });

        const suspendedAt = now();
        const { user: after, sessionIds } = await store.suspendUser(user.id, suspendedAt);
        expect([...sessionIds].sort()).toEqual([a.id, b.id].sort());
        expect(after).toEqual({ ...user, suspendedAt });
        expect(await store.getUser(user.id)).toEqual({ ...user, suspendedAt });
        for (const s of [a, b]) expect(await store.getAuthSession(s.id)).toMatchObject({ revokedAt: suspendedAt, revokeReason: 'suspended' });
        expect(await store.getAuthSession(loggedOut.id)).toMatchObject({ revokeReason: 'logout' });
        // Already inactive: left as it was, not reported.
        expect(await store.getAuthSession(expired.id)).toMatchObject({ revokedAt: null });
        expect(await store.getAuthSession(bystander.id)).toMatchObject({ revokedAt: null });
      });

      it('refuses a suspended user a new session and the rotation of an old refresh token (inactive)', async () => {
        const user = await createUser();
        const session = await signIn(user.id);
        await store.suspendUser(user.id, now());

        const late = attempt(user.id);
        expect(await store.createAuthSession(late)).toBeNull();
        expect(await store.getAuthSession(late.id)).toBeNull();
        expect(await store.rotateRefreshToken(session.id, session.refreshHash, 'next', now(), now() + DAY)).toBe('inactive');
      });

      it('suspending a suspended user changes nothing: the first time stays, nothing more is revoked', async () => {
        const user = await createUser();
        const session = await signIn(user.id);
        const first = now();
        expect((await store.suspendUser(user.id, first)).sessionIds).toEqual([session.id]);
        const again = await store.suspendUser(user.id, now());
        expect(again).toEqual({ user: { ...user, suspendedAt: first }, sessionIds: [] });
        expect(await store.getAuthSession(session.id)).toMatchObject({ revokedAt: first, revokeReason: 'suspended' });
      });

      it('unsuspending lets the user sign in again; the sessions the suspension ended stay ended', async () => {
        const user = await createUser();
        const old = await signIn(user.id);
        await store.suspendUser(user.id, now());

        expect(await store.unsuspendUser(user.id)).toEqual({ ...user, suspendedAt: null });
        expect(await store.getUser(user.id)).toMatchObject({ suspendedAt: null });
        const fresh = attempt(user.id);
        expect(await store.createAuthSession(fresh)).toMatchObject({ id: fresh.id, userId: user.id, revokedAt: null });
        expect(await store.rotateRefreshToken(fresh.id, fresh.refreshHash, 'next', now(), now() + DAY)).toBe('rotated');
        expect(await store.rotateRefreshToken(old.id, old.refreshHash, 'x', now(), now() + DAY)).toBe('inactive');
        // Lifting a suspension that is not there is a no-op.
        expect(await store.unsuspendUser(user.id)).toEqual({ ...user, suspendedAt: null });
        // And a user never suspended is a no-op too.
        const never = await createUser();
        expect(await store.unsuspendUser(never.id)).toEqual(never);
      });

      it('leaves no active session of a suspended user when sign-ins race the suspension', async () => {
        for (let round = 0; round < 5; round++) {
          const user = await createUser();
          const existing = await signIn(user.id);
          const racers = Array.from({ length: 10 }, () => attempt(user.id));
          // The suspension is issued among the sign-ins, at a different place each round.
          const signInsBefore = racers.slice(0, round * 2).map((r) => store.createAuthSession(r));
          const suspending = store.suspendUser(user.id, now());
          const signInsAfter = racers.slice(round * 2).map((r) => store.createAuthSession(r));
          const [suspension, created] = await Promise.all([suspending, Promise.all([...signInsBefore, ...signInsAfter])]);
          expect(suspension.sessionIds).toContain(existing.id);
          for (const [i, racer] of racers.entries()) {
            const row = await store.getAuthSession(racer.id);
            // Landed before the suspension (and was revoked by it, reported), or was never created.
            if (at(created, i, 'attempt outcome')) {
              expect({ reported: suspension.sessionIds.includes(racer.id), reason: row?.revokeReason }).toEqual({ reported: true, reason: 'suspended' });
            } else {
              expect(row).toBeNull();
            }
          }
          expect(await store.createAuthSession(attempt(user.id))).toBeNull();
        }
      });

      it('leaves no rotatable session when refreshes race the suspension', async () => {
        const user = await createUser();
        const sessions = await Promise.all(Array.from({ length: 5 }, () => signIn(user.id)));
        const rotate = (s: NewAuthSession) => store.rotateRefreshToken(s.id, s.refreshHash, `${s.refreshHash}-next`, now(), now() + DAY);
        const rotationsBefore = sessions.slice(0, 2).map(rotate);
        const suspending = store.suspendUser(user.id, now());
        const rotationsAfter = sessions.slice(2).map(rotate);
        const [suspension, outcomes] = await Promise.all([suspending, Promise.all([...rotationsBefore, ...rotationsAfter])]);
        expect([...suspension.sessionIds].sort()).toEqual(sessions.map((s) => s.id).sort());
        for (const outcome of outcomes) expect(['rotated', 'inactive']).toContain(outcome);
        // Whichever token the client now holds, the session is over.
        for (const s of sessions) {
          expect(await store.rotateRefreshToken(s.id, `${s.refreshHash}-next`, 'x', now(), now() + DAY)).toBe('inactive');
          expect(await store.rotateRefreshToken(s.id, s.refreshHash, 'x', now(), now() + DAY)).toBe('inactive');
        }
      });

      it('revokes each session once when an operator suspends the same user many times at once', async () => {
        const user = await createUser();
        const sessions = await Promise.all(Array.from({ length: 4 }, () => signIn(user.id)));
        const results = await Promise.all(Array.from({ length: 8 }, () => store.suspendUser(user.id, now())));
        expect(results.flatMap((r) => r.sessionIds).sort()).toEqual(sessions.map((s) => s.id).sort());
        // One suspension time, the first one applied, for every caller.
        const times = new Set(results.map((r) => r.user.suspendedAt));
        expect(times.size).toBe(1);
        expect((await store.getUser(user.id))?.suspendedAt).toBe([...times][0]);
      });
    });

    describe('admin role', () => {
      it('grants and removes the role; new users have none', async () => {
        const user = await createUser();
        expect(user.admin).toBe(false);
        expect(await store.setUserAdmin(user.id, true)).toEqual({ ...user, admin: true });
        expect(await store.setUserAdmin(user.id, true)).toEqual({ ...user, admin: true });
        expect(await store.getUser(user.id)).toMatchObject({ admin: true });
        expect(await store.setUserAdmin(user.id, false)).toEqual({ ...user, admin: false });
        expect(await store.getUser(user.id)).toMatchObject({ admin: false });
      });

      it('is independent of suspension: a suspended admin is still an admin, and cannot sign in', async () => {
        const user = await createUser();
        await store.setUserAdmin(user.id, true);
        const { user: suspended } = await store.suspendUser(user.id, now());
        expect(suspended).toMatchObject({ admin: true, suspendedAt: expect.any(Number) });
        expect(await store.createAuthSession(attempt(user.id))).toBeNull();
      });
    });

    it('returns suspendedAt and admin from every user read', async () => {
      const name = nextId('adm_');
      const user = await createUser(name);
      const suspendedAt = now();
      await store.setUserAdmin(user.id, true);
      await store.suspendUser(user.id, suspendedAt);
      const expected = { ...user, suspendedAt, admin: true };
      expect(await store.getUser(user.id)).toEqual(expected);
      expect(await store.getUsers([user.id])).toEqual([expected]);
      expect(await store.findUserByUsername(name)).toEqual(expected);
      expect(await store.searchUsers(name, 10, 0)).toEqual([expected]);
      // A profile change keeps them.
      expect(await store.updateProfile(user.id, { bio: 'hi' })).toEqual({ ...expected, bio: 'hi' });
    });

    it('refuses unknown and deleted users (user-not-found); a deleted user is neither suspended nor an admin', async () => {
      for (const op of [
        (id: string) => store.suspendUser(id, now()),
        (id: string) => store.unsuspendUser(id),
        (id: string) => store.setUserAdmin(id, true),
      ]) {
        await ctx.expectRefusal(op('nobody'), 'NOT_FOUND', 'user-not-found');
      }

      const user = await createUser();
      const session = await signIn(user.id);
      await store.setUserAdmin(user.id, true);
      await store.suspendUser(user.id, now());
      // Deleting a suspended admin still works, and leaves neither mark.
      const deleted = await store.deleteUser(user.id, now());
      expect(deleted.sessionIds).toEqual([]);
      expect(await store.getAuthSession(session.id)).toMatchObject({ revokeReason: 'suspended' });
      expect(await store.getUser(user.id)).toMatchObject({ deletedAt: expect.any(Number), suspendedAt: null, admin: false });

      await ctx.expectRefusal(store.suspendUser(user.id, now()), 'NOT_FOUND', 'user-not-found');
      await ctx.expectRefusal(store.unsuspendUser(user.id), 'NOT_FOUND', 'user-not-found');
      await ctx.expectRefusal(store.setUserAdmin(user.id, true), 'NOT_FOUND', 'user-not-found');
      expect(await store.getUser(user.id)).toMatchObject({ suspendedAt: null, admin: false });
    });

    describe('audit log', () => {
      it('keeps every field of an entry', async () => {
        const entry = audit({ action: 'notice:post', target: nextId('N'), detail: 'maintenance at 10:00 — ünïcödé 🚧', gatewayId: 'gw-7' });
        await store.appendAudit(entry);
        expect(await store.listAudit(1)).toEqual([entry]);
      });

      it('lists newest first (by id), in pages walked with the before cursor', async () => {
        const entries: AuditRecord[] = [];
        for (let i = 0; i < 5; i++) {
          const entry = audit({ action: i % 2 ? 'user:unsuspend' : 'node:drain', target: `node-${i}` });
          await store.appendAudit(entry);
          entries.push(entry);
        }
        const [e0, e1, e2, e3, e4] = entries.map((e) => e.id);
        const ids = (list: AuditRecord[]): string[] => list.map((e) => e.id);
        expect(ids(await store.listAudit(2))).toEqual([e4, e3]);
        expect(ids(await store.listAudit(2, e3))).toEqual([e2, e1]);
        // The last page holds the oldest of ours, then anything written before them.
        const last = await store.listAudit(10, e1);
        expect(at(last, 0, 'entry')).toEqual(at(entries, 0, 'entry'));
        expect(ids(last).every((id) => id <= (e0 ?? ''))).toBe(true);
        expect(ids(await store.listAudit(10))).toEqual(expect.arrayContaining([e0, e1, e2, e3, e4]));
        expect(await store.listAudit(0)).toEqual([]);
        expect(await store.listAudit(3, '')).toEqual([]);
      });

      it('keeps a detail of 1,000 characters and refuses a longer one, or a target or gateway id wider than its column (value-too-large), writing nothing', async () => {
        const full = audit({ detail: '🚧'.repeat(1000) });
        await store.appendAudit(full);
        expect(await store.listAudit(1)).toEqual([full]);

        for (const tooLong of [audit({ detail: 'x'.repeat(1001) }), audit({ target: 't'.repeat(256) }), audit({ gatewayId: 'g'.repeat(129) })]) {
          await ctx.expectRefusal(store.appendAudit(tooLong), 'INVALID_ARGUMENT', 'value-too-large');
        }
        expect(at(await store.listAudit(1), 0, 'entry').id).toBe(full.id);
      });

      it('refuses an entry whose id is taken (duplicate), keeping the first', async () => {
        const entry = audit();
        await store.appendAudit(entry);
        await ctx.expectRefusal(store.appendAudit({ ...entry, detail: 'rewritten' }), 'CONFLICT', 'duplicate');
        expect(await store.listAudit(1)).toEqual([entry]);
      });

      it('keeps every entry of many appended at once', async () => {
        const entries = Array.from({ length: 40 }, () => audit({ action: 'user:disconnect' }));
        await Promise.all(entries.map((e) => store.appendAudit(e)));
        const newest = await store.listAudit(40);
        expect(newest).toEqual([...entries].reverse());
      });
    });
  });
}
