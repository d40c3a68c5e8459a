import { Argon2PasswordHasher, JwtTokenService, NodeSecretCodec } from '@parley/auth';
import { AuthSessionService, LoginGuard, type SessionEndNotifier, type Store, type TokenClaims } from '@parley/domain';
import { sequenceIds } from '@parley/domain/testing';
import { ParleyError, type SessionEndReason } from '@parley/protocol';
import { MemoryThrottleFactory } from '@parley/limits';
import { SqliteStore } from '@parley/store';

/** The IM nodes as the service sees them: every end it announces. */
class RecordingSessionEnds implements SessionEndNotifier {
  readonly ended: { userId: string; sessionIds: string[]; reason: SessionEndReason }[] = [];
  async sessionsEnded(userId: string, sessionIds: readonly string[], reason: SessionEndReason): Promise<void> {
    this.ended.push({ userId, sessionIds: [...sessionIds], reason });
  }
}

const weakPasswords = {
  check(password: string): void {
    if (password === 'password123') throw new ParleyError('INVALID_ARGUMENT', 'newPassword: too common');
  },
};

describe('AuthSessionService', () => {
  let store: Store;
  let sessions: AuthSessionService;
  let ends: RecordingSessionEnds;
  let now = 1_700_000_000_000;
  const clock = { now: () => now };
  const hasher = new Argon2PasswordHasher({ memoryCost: 1024, timeCost: 1 });
  const tokens = new JwtTokenService({ secret: 's'.repeat(40), ttlSeconds: 900 }, clock);
  const ann = { id: 'U-ann', username: 'ann' };
  const client = { ip: '198.51.100.7' };

  beforeEach(async () => {
    store = new SqliteStore({ filename: ':memory:' });
    await store.migrate();
    ends = new RecordingSessionEnds();
    sessions = new AuthSessionService({
      store,
      tokens,
      hasher,
      secrets: new NodeSecretCodec(),
      ids: sequenceIds('S'),
      clock,
      sessionEnds: ends,
      passwordPolicy: weakPasswords,
      refreshTtlSeconds: 3600,
    });
    await store.createUser({ ...ann, displayName: 'Ann', passwordHash: await hasher.hash('ann-password-1'), createdAt: now });
  });

  afterEach(() => store.close());

  const claimsOf = async (token: string): Promise<TokenClaims> => sessions.authenticate(token);
  const unauthorized = expect.objectContaining({ code: 'UNAUTHORIZED' });

  it('starts a session: an access token and a refresh token that both name it', async () => {
    const started = await sessions.start(ann, 'jest/1');
    expect(started.refreshToken.startsWith(`${started.sessionId}.`)).toBe(true);
    expect(started.refreshExpiresAt).toBe(now + 3_600_000);
    expect(await claimsOf(started.token)).toMatchObject({ userId: ann.id, sessionId: started.sessionId });
    expect(await store.getAuthSession(started.sessionId)).toMatchObject({ userId: ann.id, userAgent: 'jest/1', revokedAt: null });
  });

  it('rotates on refresh; the old refresh token replayed ends the session and its access tokens', async () => {
    const started = await sessions.start(ann, null);
    now += 1000;
    const refreshed = await sessions.refresh(started.refreshToken);
    expect(refreshed).toMatchObject({ user: { id: ann.id }, sessionId: started.sessionId });
    expect(refreshed.refreshToken).not.toBe(started.refreshToken);
    expect(await claimsOf(refreshed.token)).toMatchObject({ sessionId: started.sessionId });

    // The thief replays the stolen, already rotated token.
    await expect(sessions.refresh(started.refreshToken)).rejects.toEqual(unauthorized);
    expect(ends.ended).toEqual([{ userId: ann.id, sessionIds: [started.sessionId], reason: 'logout' }]);
    await expect(sessions.refresh(refreshed.refreshToken)).rejects.toEqual(unauthorized);
    await expect(claimsOf(refreshed.token)).rejects.toEqual(unauthorized);
    await expect(claimsOf(started.token)).rejects.toEqual(unauthorized);
  });

  it('refuses forged, malformed and expired refresh tokens without touching the real session', async () => {
    const started = await sessions.start(ann, null);
    for (const forged of ['', 'no-dot', `${started.sessionId}.`, `.abc`, `${started.sessionId}.guess`, 'S-nobody.abc']) {
      await expect(sessions.refresh(forged)).rejects.toEqual(unauthorized);
    }
    expect(ends.ended).toEqual([]);
    await expect(sessions.refresh(started.refreshToken)).resolves.toMatchObject({ sessionId: started.sessionId });

    const idle = await sessions.start(ann, null);
    now += 3_600_001;
    await expect(sessions.refresh(idle.refreshToken)).rejects.toEqual(unauthorized);
  });

  it('lets one of two racing refreshes of one token through; the loser ends the session', async () => {
    const started = await sessions.start(ann, null);
    const outcomes = await Promise.allSettled([sessions.refresh(started.refreshToken), sessions.refresh(started.refreshToken)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await store.getAuthSession(started.sessionId)).toMatchObject({ revokeReason: 'logout' });
  });

  it('logs out one session, by its access token or by its refresh token alone', async () => {
    const [a, b, c] = [await sessions.start(ann, null), await sessions.start(ann, null), await sessions.start(ann, null)];
    await sessions.logout(await claimsOf(a.token));
    await expect(claimsOf(a.token)).rejects.toEqual(unauthorized);
    await expect(sessions.refresh(a.refreshToken)).rejects.toEqual(unauthorized);

    // A refresh token that is not the session's current one ends nothing.
    await sessions.logoutByRefreshToken(`${b.sessionId}.not-the-secret`);
    expect(await claimsOf(b.token)).toMatchObject({ sessionId: b.sessionId });
    await sessions.logoutByRefreshToken(b.refreshToken);
    await expect(claimsOf(b.token)).rejects.toEqual(unauthorized);

    expect(await claimsOf(c.token)).toMatchObject({ sessionId: c.sessionId });
    expect(ends.ended.map((e) => [e.sessionIds, e.reason])).toEqual([
      [[a.sessionId], 'logout'],
      [[b.sessionId], 'logout'],
    ]);
  });

  it('logs out everywhere', async () => {
    const [a, b] = [await sessions.start(ann, null), await sessions.start(ann, null)];
    await sessions.logoutAll(await claimsOf(a.token));
    await expect(claimsOf(a.token)).rejects.toEqual(unauthorized);
    await expect(claimsOf(b.token)).rejects.toEqual(unauthorized);
    expect(ends.ended).toEqual([{ userId: ann.id, sessionIds: [a.sessionId, b.sessionId].sort(), reason: 'logout-all' }]);
  });

  it('changes the password only with the current one, ending the other sessions but not this one', async () => {
    const [mine, other] = [await sessions.start(ann, null), await sessions.start(ann, null)];
    const claims = await claimsOf(mine.token);
    const before = (await store.getUser(ann.id))?.passwordHash;

    await expect(sessions.changePassword(claims, { currentPassword: 'a-guess', newPassword: 'new-password-2' }, client)).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    await expect(sessions.changePassword(claims, { currentPassword: 'ann-password-1', newPassword: 'password123' }, client)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect((await store.getUser(ann.id))?.passwordHash).toBe(before);
    expect(await claimsOf(other.token)).toMatchObject({ sessionId: other.sessionId });
    expect(ends.ended).toEqual([]);

    await sessions.changePassword(claims, { currentPassword: 'ann-password-1', newPassword: 'new-password-2' }, client);
    const hash = (await store.getUser(ann.id))?.passwordHash ?? '';
    expect(await hasher.verify(hash, 'new-password-2')).toBe(true);
    await expect(claimsOf(other.token)).rejects.toEqual(unauthorized);
    expect(await claimsOf(mine.token)).toMatchObject({ sessionId: mine.sessionId });
    expect(ends.ended).toEqual([{ userId: ann.id, sessionIds: [other.sessionId], reason: 'password-changed' }]);
  });

  it('deletes the account only with its password; every session ends and refresh is refused', async () => {
    const [mine, other] = [await sessions.start(ann, null), await sessions.start(ann, null)];
    const claims = await claimsOf(mine.token);
    await expect(sessions.deleteAccount(claims, { password: 'a-guess' }, client)).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect((await store.getUser(ann.id))?.deletedAt).toBeNull();

    await sessions.deleteAccount(claims, { password: 'ann-password-1' }, client);
    expect((await store.getUser(ann.id))?.deletedAt).toBe(now);
    await expect(claimsOf(mine.token)).rejects.toEqual(unauthorized);
    await expect(sessions.refresh(other.refreshToken)).rejects.toEqual(unauthorized);
    await expect(sessions.start(ann, null)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(ends.ended).toEqual([{ userId: ann.id, sessionIds: [mine.sessionId, other.sessionId].sort(), reason: 'account-deleted' }]);
  });

  it('counts wrong password confirmations as failed logins: parallel guesses with a stolen token are cut off', async () => {
    const guarded = new AuthSessionService({
      store,
      tokens,
      hasher,
      secrets: new NodeSecretCodec(),
      ids: sequenceIds('G'),
      clock,
      sessionEnds: ends,
      passwordPolicy: weakPasswords,
      passwordGuard: new LoginGuard(new MemoryThrottleFactory(), { accountIpFreeFailures: 3, backoffBaseSec: 60 }),
    });
    const claims = await guarded.authenticate((await guarded.start(ann, null)).token);
    const before = (await store.getUser(ann.id))?.passwordHash;
    const guesses = Array.from({ length: 12 }, (_, i) =>
      guarded.changePassword(claims, { currentPassword: `guess-${i}`, newPassword: 'new-password-2' }, client),
    );
    const codes = (await Promise.allSettled(guesses)).map((o) => (o.status === 'rejected' ? (o.reason as ParleyError).code : 'changed'));
    // The free failures and one past them are checked; every other guess is refused unchecked.
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS').length).toBeLessThanOrEqual(4);
    expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(8);
    await expect(guarded.deleteAccount(claims, { password: 'guess-x' }, client)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect((await store.getUser(ann.id))?.passwordHash).toBe(before);
    expect((await store.getUser(ann.id))?.deletedAt).toBeNull();
  });

  it('keeps a revocation when the IM nodes cannot be told', async () => {
    const errors: unknown[] = [];
    const failing = new AuthSessionService({
      store,
      tokens,
      hasher,
      secrets: new NodeSecretCodec(),
      ids: sequenceIds('F'),
      clock,
      sessionEnds: { sessionsEnded: () => Promise.reject(new Error('relay down')) },
      passwordPolicy: weakPasswords,
      onNotifyError: (err) => errors.push(err),
    });
    const started = await failing.start(ann, null);
    await failing.logout(await failing.authenticate(started.token));
    await expect(failing.authenticate(started.token)).rejects.toEqual(unauthorized);
    expect(errors).toHaveLength(1);
  });
});
