import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import type { AuthResult } from '@parley/protocol';
import { TEST_PASSWORD, at, findFreePort, spawnApp, startCluster, terminate } from '@parley/testing';
import { TestUser, befriend, uniqueName } from './support/test-user';

jest.setTimeout(120_000);

/** A running gateway (with IM nodes behind it) and the secret its access tokens are signed with. */
interface Target {
  gatewayUrl: string;
  jwtSecret: string;
  stop(): Promise<void>;
}

/** The MySQL/Redis cluster: real gateway and node processes. */
async function clusterTarget(): Promise<Target> {
  const cluster = await startCluster({ nodes: 1, name: 'sessions-e2e' });
  return { gatewayUrl: cluster.gatewayUrl, jwtSecret: cluster.jwtSecret, stop: () => cluster.stop() };
}

/** Embedded mode: the same gateway on a SQLite file, its secret given so tests can forge with it. */
async function embeddedTarget(): Promise<Target> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-sessions-'));
  const jwtSecret = crypto.randomBytes(48).toString('base64url');
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    try {
      const proc = await spawnApp('sessions-embedded', 'apps/embedded/src/main.ts', 'Parley is running', {
        PARLEY_PORT: String(port),
        PARLEY_DATA_DIR: dataDir,
        PARLEY_STATIC_DIR: path.join(dataDir, 'no-web-client'),
        PARLEY_JWT_SECRET: jwtSecret,
        PARLEY_LOG_LEVEL: 'warn',
        // Every test here registers its users from loopback.
        PARLEY_REGISTER_PER_IP: '1000',
      });
      return {
        gatewayUrl: `http://127.0.0.1:${port}`,
        jwtSecret,
        stop: async () => {
          await terminate(proc);
          fs.rmSync(dataDir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

type SignedIn = AuthResult & { refreshToken: string };

describe.each([
  ['the MySQL cluster', clusterTarget],
  ['embedded mode (SQLite)', embeddedTarget],
])('sessions on %s', (_name, start) => {
  let target: Target;

  beforeAll(async () => {
    target = await start();
  }, 120_000);
  afterAll(async () => {
    await target?.stop();
  });

  const call = async (method: string, url: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${target.gatewayUrl}${url}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
  };
  const register = async (username = uniqueName('sess')): Promise<SignedIn & { username: string }> => {
    const res = await call('POST', '/api/auth/register', { body: { username, password: TEST_PASSWORD } });
    expect(res.status).toBe(201);
    return { ...(res.body as unknown as SignedIn), username };
  };
  const login = async (username: string, password = TEST_PASSWORD): Promise<Answer> =>
    call('POST', '/api/auth/login', { body: { username, password } });
  const signIn = async (username: string, password = TEST_PASSWORD): Promise<SignedIn> => {
    const res = await login(username, password);
    expect(res.status).toBe(200);
    return res.body as unknown as SignedIn;
  };
  const me = (token: string): Promise<number> => call('GET', '/api/me', { token }).then((r) => r.status);
  const refresh = (refreshToken: string): Promise<Answer> => call('POST', '/api/auth/refresh', { body: { refreshToken } });

  it('rotates the refresh token; replaying the old one is refused and ends the whole session', async () => {
    const user = await register();
    const first = await signIn(user.username);
    expect(first.refreshToken.startsWith(`${first.sessionId}.`)).toBe(true);
    expect(first.expiresAt - Date.now()).toBeLessThanOrEqual(15 * 60_000);

    const rotated = await refresh(first.refreshToken);
    expect(rotated.status).toBe(200);
    const second = rotated.body as unknown as SignedIn;
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(await me(second.token)).toBe(200);

    // The honest client rotates again with the token it holds now.
    const third = (await refresh(second.refreshToken)).body as unknown as SignedIn;
    expect(await me(third.token)).toBe(200);

    // A thief replays the refresh token they stole just before the honest client used it.
    const replay = await refresh(second.refreshToken);
    expect({ status: replay.status, code: replay.body.code }).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    expect(await me(third.token)).toBe(401);
    expect((await refresh(third.refreshToken)).status).toBe(401);
    expect((await refresh(first.refreshToken)).status).toBe(401);
    // Other sign-ins of the same user are not touched.
    expect(await me(user.token)).toBe(200);
  });

  it('logs out one session by its access token, or by its refresh token alone; the others stay', async () => {
    const user = await register();
    const [a, b] = [await signIn(user.username), await signIn(user.username)];
    const out = await call('POST', '/api/auth/logout', { token: a.token });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^parley_refresh=; Max-Age=0; Path=\/api\/auth; HttpOnly; Secure; SameSite=Strict/);
    expect(await me(a.token)).toBe(401);
    expect((await refresh(a.refreshToken)).status).toBe(401);

    // Someone who only knows the session id cannot end it.
    expect((await call('POST', '/api/auth/logout', { body: { refreshToken: `${b.sessionId}.guess` } })).status).toBe(204);
    expect(await me(b.token)).toBe(200);
    expect((await call('POST', '/api/auth/logout', { body: { refreshToken: b.refreshToken } })).status).toBe(204);
    expect(await me(b.token)).toBe(401);

    expect(await me(user.token)).toBe(200);
    expect((await call('POST', '/api/auth/logout', {})).status).toBe(401);
  });

  it('logs out everywhere: every session of the account ends, nobody else is touched', async () => {
    const user = await register();
    const other = await register();
    const a = await signIn(user.username);
    const res = await call('POST', '/api/auth/logout-all', { token: a.token });
    expect(res.status).toBe(204);
    for (const token of [a.token, user.token]) expect(await me(token)).toBe(401);
    expect((await refresh(user.refreshToken)).status).toBe(401);
    expect(await me(other.token)).toBe(200);
    // Signing in again works.
    expect(await me((await signIn(user.username)).token)).toBe(200);
  });

  it('changes the password only with the current one; the other sessions end, this one stays', async () => {
    const user = await register();
    const other = await signIn(user.username);
    const newPassword = 'kestrel-harbor-copper-77';

    const wrong = await call('POST', '/api/me/password', { token: user.token, body: { currentPassword: 'a-wild-guess-1', newPassword } });
    expect({ status: wrong.status, code: wrong.body.code }).toEqual({ status: 401, code: 'INVALID_CREDENTIALS' });
    expect(await me(other.token)).toBe(200);
    expect((await login(user.username)).status).toBe(200);
    const weak = await call('POST', '/api/me/password', { token: user.token, body: { currentPassword: TEST_PASSWORD, newPassword: 'password' } });
    expect({ status: weak.status, code: weak.body.code }).toEqual({ status: 400, code: 'INVALID_ARGUMENT' });

    const changed = await call('POST', '/api/me/password', { token: user.token, body: { currentPassword: TEST_PASSWORD, newPassword } });
    expect(changed.status).toBe(204);
    expect(await me(user.token)).toBe(200);
    expect((await refresh(user.refreshToken)).status).toBe(200);
    expect(await me(other.token)).toBe(401);
    expect((await login(user.username)).status).toBe(401);
    expect((await login(user.username, newPassword)).status).toBe(200);
  });

  it('deletes an account only with its password: the name is free again, friends, groups and invitees are told live', async () => {
    const leaving = await TestUser.register(target.gatewayUrl, 'leaving');
    const friend = await TestUser.register(target.gatewayUrl, 'friend');
    const invitee = await TestUser.register(target.gatewayUrl, 'invitee');
    await Promise.all([leaving.connect(), friend.connect(), invitee.connect()]);
    await befriend(leaving, friend);
    expect((await friend.ok('friend:list', {})).friends.map((f) => f.user.id)).toEqual([leaving.id]);
    const { group, invitations } = await leaving.ok('group:create', { name: 'left behind', memberIds: [friend.id, invitee.id] });
    expect(group.memberCount).toBe(2);
    const invitation = at(invitations, 0, 'invitation');
    await invitee.waitForEvent('group:invitation', (e) => e.invitation.id === invitation.id && e.invitation.status === 'pending');
    const username = leaving.auth.user.username;

    const wrong = await call('DELETE', '/api/me', { token: leaving.auth.token, body: { password: 'a-wild-guess-1' } });
    expect({ status: wrong.status, code: wrong.body.code }).toEqual({ status: 401, code: 'INVALID_CREDENTIALS' });
    expect(await me(leaving.auth.token)).toBe(200);

    const deleted = await call('DELETE', '/api/me', { token: leaving.auth.token, body: { password: TEST_PASSWORD } });
    expect(deleted.status).toBe(204);
    expect(await me(leaving.auth.token)).toBe(401);
    expect((await login(username)).status).toBe(401);
    expect((await friend.ok('friend:list', {})).friends).toEqual([]);
    // Told live, by the gateway that served the deletion: the friendship ended, the owner left, the group passed on.
    await friend.waitForEvent('friend:update', (e) => 'removed' in e && e.userId === leaving.id);
    const left = await friend.waitForEvent('group:update', (e) => e.change === 'left' && e.group.id === group.id);
    expect(left).toMatchObject({ actorId: leaving.id, userIds: [leaving.id], group: { memberCount: 1, ownerId: friend.id } });
    await friend.waitForEvent('group:update', (e) => e.change === 'transferred' && e.group.id === group.id && e.userIds?.[0] === friend.id);
    expect((await friend.ok('group:info', { groupId: group.id })).group).toMatchObject({ ownerId: friend.id, memberCount: 1 });
    // The invitation from the deleted account ends, and its invitee's client is told so rather than left with a dead one.
    const cancelled = await invitee.waitForEvent('group:invitation', (e) => e.invitation.id === invitation.id && e.invitation.status === 'cancelled');
    expect(cancelled.invitation).toMatchObject({ group: { id: group.id }, inviter: { id: leaving.id }, inviteeId: invitee.id });
    expect((await invitee.ok('group:invitations', {})).invitations).toEqual([]);
    const search = await call('GET', `/api/users?q=${encodeURIComponent(username)}`, { token: friend.auth.token });
    expect(search.body.users).toEqual([]);
    // The name is free: someone new registers it.
    const again = await register(username);
    expect(again.user.id).not.toBe(leaving.id);
    leaving.disconnect();
    friend.disconnect();
    invitee.disconnect();
  });

  it('refuses a correctly signed token without exp, and one naming a session that does not exist', async () => {
    const user = await register();
    const iat = Math.floor(Date.now() / 1000);
    const sign = (claims: object): string =>
      jwt.sign({ sub: user.user.id, name: user.username, iat, ...claims }, target.jwtSecret, {
        algorithm: 'HS256',
        issuer: 'parley',
        audience: 'parley-im',
      });
    expect(await me(sign({ sid: user.sessionId }))).toBe(401);
    expect(await me(sign({ sid: 'no-such-session', exp: iat + 600 }))).toBe(401);
    expect(await me(sign({ exp: iat + 600 }))).toBe(401);
    // The forger's own construction is right otherwise: with the real session it passes.
    expect(await me(sign({ sid: user.sessionId, exp: iat + 600 }))).toBe(200);
  });

  it('gives a browser its refresh token only as an HttpOnly cookie, and refuses that cookie from another site', async () => {
    const user = await register();
    const browser = { 'sec-fetch-site': 'same-origin' };
    const signedIn = await call('POST', '/api/auth/login', { body: { username: user.username, password: TEST_PASSWORD }, headers: browser });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.refreshToken).toBeUndefined();
    const setCookie = signedIn.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^parley_refresh=[^;]+; Max-Age=\d+; Path=\/api\/auth; HttpOnly; Secure; SameSite=Strict$/);
    const cookie = setCookie.split(';')[0] ?? '';

    const foreign = await call('POST', '/api/auth/refresh', { headers: { ...browser, cookie, origin: 'https://evil.example' } });
    expect({ status: foreign.status, code: foreign.body.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
    const foreignLogout = await call('POST', '/api/auth/logout', { headers: { cookie, origin: 'https://evil.example' } });
    expect(foreignLogout.status).toBe(403);

    const own = await call('POST', '/api/auth/refresh', { headers: { ...browser, cookie, origin: target.gatewayUrl } });
    expect(own.status).toBe(200);
    expect(own.body.refreshToken).toBeUndefined();
    expect(await me(String(own.body.token))).toBe(200);
    const nextCookie = (own.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(nextCookie).not.toBe(cookie);
    const out = await call('POST', '/api/auth/logout', { headers: { cookie: nextCookie, origin: target.gatewayUrl } });
    expect(out.status).toBe(204);
    expect(await me(String(own.body.token))).toBe(401);
  });
});
