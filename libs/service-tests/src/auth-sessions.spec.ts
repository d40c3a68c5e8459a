import { Argon2PasswordHasher, JwtTokenService, NodeSecretCodec } from '@parley/auth';
import {
  AccountService,
  AuthSessionService,
  LoginGuard,
  RegistrationGuard,
  type PasswordHasher,
  type SessionEndNotifier,
  type Store,
  type TokenClaims,
  type UserRecord,
} from '@parley/domain';
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

/** The real hasher, except that the next verify can be held mid-check (as argon2 takes its time), to race it. */
class HoldableHasher implements PasswordHasher {
  private held: { reached: () => void; release: Promise<void> } | undefined;
  constructor(private readonly inner: PasswordHasher) {}

  hash(password: string): Promise<string> {
    return this.inner.hash(password);
  }

  async verify(hash: string, password: string): Promise<boolean> {
    const held = this.held;
    this.held = undefined;
    const valid = await this.inner.verify(hash, password);
    if (held) {
      held.reached();
      await held.release;
    }
    return valid;
  }

  /** Holds the next verify once it has checked; `reached` resolves then, `release()` lets it answer. */
  holdNextVerify(): { reached: Promise<void>; release: () => void } {
    let release!: () => void;
    let reached!: () => void;
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    this.held = { reached, release: new Promise<void>((resolve) => (release = resolve)) };
    return { reached: reachedPromise, release };
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
  const hasher = new HoldableHasher(new Argon2PasswordHasher({ memoryCost: 1024, timeCost: 1 }));
  const tokens = new JwtTokenService({ secret: 's'.repeat(40), ttlSeconds: 900 }, clock);
  const ann = { id: 'U-ann', username: 'ann' };
  const client = { ip: '198.51.100.7' };
  let annUser: UserRecord;

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
    annUser = await store.createUser({ ...ann, displayName: 'Ann', passwordHash: await hasher.hash('ann-password-1'), createdAt: now });
  });

  afterEach(() => store.close());

  const claimsOf = async (token: string): Promise<TokenClaims> => sessions.authenticate(token);
  const unauthorized = expect.objectContaining({ code: 'UNAUTHORIZED' });

  it('starts a session: an access token and a refresh token that both name it', async () => {
    const started = await sessions.start(annUser, 'jest/1');
    expect(started.refreshToken.startsWith(`${started.sessionId}.`)).toBe(true);
    expect(started.refreshExpiresAt).toBe(now + 3_600_000);
    expect(await claimsOf(started.token)).toMatchObject({ userId: ann.id, sessionId: started.sessionId });
    expect(await store.getAuthSession(started.sessionId)).toMatchObject({ userId: ann.id, userAgent: 'jest/1', revokedAt: null });
  });

  it('rotates on refresh; the old refresh token replayed ends the session and its access tokens', async () => {
    const started = await sessions.start(annUser, null);
    now += 1000;
    const refreshed = await sessions.refresh(started.refreshToken);
    expect(refreshed).toMatchObject({ user: { id: ann.id }, sessionId: started.sessionId });
    expect(refreshed.refreshToken).not.toBe(started.refreshToken);
    expect(await claimsOf(refreshed.token)).toMatchObject({ sessionId: started.sessionId });

    // The thief replays the stolen, already rotated token.
    await expect(sessions.refresh(started.refreshToken)).rejects.toEqual(unauthorized);
    // Ended as stolen, not as a sign-out the owner asked for.
    expect(ends.ended).toEqual([{ userId: ann.id, sessionIds: [started.sessionId], reason: 'refresh-reused' }]);
    await expect(sessions.refresh(refreshed.refreshToken)).rejects.toEqual(unauthorized);
    await expect(claimsOf(refreshed.token)).rejects.toEqual(unauthorized);
    await expect(claimsOf(started.token)).rejects.toEqual(unauthorized);
  });

  it('refuses forged, malformed and expired refresh tokens without touching the real session', async () => {
    const started = await sessions.start(annUser, null);
    for (const forged of ['', 'no-dot', `${started.sessionId}.`, `.abc`, `${started.sessionId}.guess`, 'S-nobody.abc']) {
      await expect(sessions.refresh(forged)).rejects.toEqual(unauthorized);
    }
    expect(ends.ended).toEqual([]);
    await expect(sessions.refresh(started.refreshToken)).resolves.toMatchObject({ sessionId: started.sessionId });

    const idle = await sessions.start(annUser, null);
    now += 3_600_001;
    await expect(sessions.refresh(idle.refreshToken)).rejects.toEqual(unauthorized);
  });

  it('lets one of two racing refreshes of one token through; the loser ends the session', async () => {
    const started = await sessions.start(annUser, null);
    const outcomes = await Promise.allSettled([sessions.refresh(started.refreshToken), sessions.refresh(started.refreshToken)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await store.getAuthSession(started.sessionId)).toMatchObject({ revokeReason: 'refresh-reused' });
  });

  it('logs out one session, by its access token or by its refresh token alone', async () => {
    const [a, b, c] = [await sessions.start(annUser, null), await sessions.start(annUser, null), await sessions.start(annUser, null)];
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
    const [a, b] = [await sessions.start(annUser, null), await sessions.start(annUser, null)];
    await sessions.logoutAll(await claimsOf(a.token));
    await expect(claimsOf(a.token)).rejects.toEqual(unauthorized);
    await expect(claimsOf(b.token)).rejects.toEqual(unauthorized);
    expect(ends.ended).toEqual([{ userId: ann.id, sessionIds: [a.sessionId, b.sessionId].sort(), reason: 'logout-all' }]);
  });

  it('changes the password only with the current one, ending the other sessions but not this one', async () => {
    const [mine, other] = [await sessions.start(annUser, null), await sessions.start(annUser, null)];
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

  it('starts no session for a password hash that is no longer the account’s', async () => {
    const mine = await sessions.start(annUser, null);
    await sessions.changePassword(await claimsOf(mine.token), { currentPassword: 'ann-password-1', newPassword: 'new-password-2' }, client);
    // annUser holds the hash verified before the change.
    await expect(sessions.start(annUser, null)).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    await expect(sessions.start({ ...annUser, passwordHash: (await store.getUser(ann.id))?.passwordHash ?? '' }, null)).resolves.toMatchObject({
      sessionId: expect.any(String),
    });
  });

  const accountService = (): AccountService =>
    new AccountService({
      store,
      hasher,
      passwordPolicy: weakPasswords,
      sessions,
      ids: sequenceIds('U'),
      clock,
      loginGuard: new LoginGuard(new MemoryThrottleFactory(), { accountIpFreeFailures: 3, backoffBaseSec: 60 }),
      registrationGuard: new RegistrationGuard(new MemoryThrottleFactory(), { perIp: 5, windowSec: 600 }),
    });

  it('a login with the old password racing a password change gets no session; with the new one it does', async () => {
    const accounts = accountService();
    const owner = await accounts.login({ username: 'ann', password: 'ann-password-1' }, client);
    // The thief's login has checked the old password and is about to start its session...
    const hold = hasher.holdNextVerify();
    const thief = accounts.login({ username: 'ann', password: 'ann-password-1' }, client);
    const thiefOutcome = thief.then(
      () => 'signed in',
      (err: unknown) => (err instanceof ParleyError ? err.code : String(err)),
    );
    await hold.reached;
    // ...when the owner changes it.
    await sessions.changePassword(await claimsOf(owner.token), { currentPassword: 'ann-password-1', newPassword: 'new-password-2' }, client);
    hold.release();
    expect(await thiefOutcome).toBe('INVALID_CREDENTIALS');
    expect(await store.revokeUserAuthSessions(ann.id, 'logout-all', now, owner.sessionId)).toEqual([]);
    expect(await claimsOf(owner.token)).toMatchObject({ sessionId: owner.sessionId });
    await expect(accounts.login({ username: 'ann', password: 'new-password-2' }, client)).resolves.toMatchObject({ user: { id: ann.id } });
  });

  it('a login racing the deletion of its account gets INVALID_CREDENTIALS (as for any unknown account) and no session', async () => {
    const accounts = accountService();
    const owner = await accounts.login({ username: 'ann', password: 'ann-password-1' }, client);
    const hold = hasher.holdNextVerify();
    const late = accounts.login({ username: 'ann', password: 'ann-password-1' }, client).then(
      () => 'signed in',
      (err: unknown) => (err instanceof ParleyError ? err.code : String(err)),
    );
    await hold.reached;
    await sessions.deleteAccount(await claimsOf(owner.token), { password: 'ann-password-1' }, client);
    hold.release();
    expect(await late).toBe('INVALID_CREDENTIALS');
    expect(ends.ended).toEqual([{ userId: ann.id, sessionIds: [owner.sessionId], reason: 'account-deleted' }]);
  });

  it('deletes the account only with its password; every session ends and refresh is refused', async () => {
    const [mine, other] = [await sessions.start(annUser, null), await sessions.start(annUser, null)];
    const claims = await claimsOf(mine.token);
    await expect(sessions.deleteAccount(claims, { password: 'a-guess' }, client)).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect((await store.getUser(ann.id))?.deletedAt).toBeNull();

    await sessions.deleteAccount(claims, { password: 'ann-password-1' }, client);
    expect((await store.getUser(ann.id))?.deletedAt).toBe(now);
    await expect(claimsOf(mine.token)).rejects.toEqual(unauthorized);
    await expect(sessions.refresh(other.refreshToken)).rejects.toEqual(unauthorized);
    // A sign-in that verified the password just before the deletion gets nothing.
    await expect(sessions.start(annUser, null)).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
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
    const claims = await guarded.authenticate((await guarded.start(annUser, null)).token);
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
    const started = await failing.start(annUser, null);
    await failing.logout(await failing.authenticate(started.token));
    await expect(failing.authenticate(started.token)).rejects.toEqual(unauthorized);
    expect(errors).toHaveLength(1);
  });
});
