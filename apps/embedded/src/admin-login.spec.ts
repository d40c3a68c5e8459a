import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { UserRecord } from '@parley/domain';
import { adminLoginLine, ensureAdminLogin, type AdminLoginDeps } from './admin-login';

/** A stand-in gateway: records registrations and logouts, answers as the real one does. */
async function fakeGateway(registerStatus = 201): Promise<{ url: string; registered: Array<{ username: string; password: string }>; logouts: string[]; close(): Promise<void> }> {
  const registered: Array<{ username: string; password: string }> = [];
  const logouts: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      if (req.url === '/api/auth/register') {
        registered.push(JSON.parse(body) as { username: string; password: string });
        res.writeHead(registerStatus, { 'content-type': 'application/json' });
        const user = { id: 'u-admin', username: 'admin', displayName: 'Admin', createdAt: 1 };
        res.end(JSON.stringify(registerStatus === 201 ? { user, token: 'tok', expiresAt: 2, sessionId: 's1', refreshToken: 'r1', refreshExpiresAt: 3 } : { code: 'USERNAME_TAKEN' }));
      } else if (req.url === '/api/auth/logout') {
        logouts.push(req.headers.authorization ?? '');
        res.writeHead(204).end();
      } else res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, registered, logouts, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function user(passwordHash: string, admin: boolean): UserRecord {
  return { id: 'u-admin', username: 'admin', displayName: 'Admin', avatarUrl: null, bio: null, passwordHash, dmPolicy: 'friends', groupInvites: 'friends', createdAt: 1, deletedAt: null, suspendedAt: null, admin };
}

describe('the embedded admin login', () => {
  let dataDir: string;
  let gateway: Awaited<ReturnType<typeof fakeGateway>>;
  let stored: UserRecord | null;
  let granted: Array<[string, boolean]>;

  const deps = (): AdminLoginDeps => ({
    dataDir,
    gatewayUrl: gateway.url,
    users: {
      findUserByUsername: (name) => Promise.resolve(name === 'admin' ? stored : null),
      setUserAdmin: (id, admin) => {
        granted.push([id, admin]);
        return Promise.resolve(user('x', admin));
      },
    },
    // A stand-in for argon2: the hash of p is "h:p".
    hasher: { verify: (hash, password) => Promise.resolve(hash === `h:${password}`) },
  });
  const file = () => path.join(dataDir, 'admin-password');

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-admin-login-'));
    gateway = await fakeGateway();
    stored = null;
    granted = [];
  });
  afterEach(async () => {
    await gateway.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('on first start registers admin through the REST API with a strong random password kept 0600, ends that sign-in and grants the role', async () => {
    const login = await ensureAdminLogin(deps());
    const password = fs.readFileSync(file(), 'utf8').trim();
    expect(fs.statSync(file()).mode & 0o777).toBe(0o600);
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(login).toEqual({ state: 'ready', password, file: file() });
    expect(gateway.registered).toEqual([{ username: 'admin', password, displayName: 'Admin' }]);
    expect(gateway.logouts).toEqual(['Bearer tok']);
    expect(granted).toEqual([['u-admin', true]]);
    expect(adminLoginLine(login, 'data/admin-password')).toBe(`  admin login: admin / ${password} (from data/admin-password)`);
  });

  it('makes a different password in each data folder', async () => {
    await ensureAdminLogin(deps());
    const first = fs.readFileSync(file(), 'utf8');
    fs.rmSync(file());
    await ensureAdminLogin(deps());
    expect(fs.readFileSync(file(), 'utf8')).not.toBe(first);
  });

  it('on later starts reads the file back, registers nothing, and narrows a loosened file', async () => {
    fs.writeFileSync(file(), 'the-password-1234567890\n', { mode: 0o644 });
    fs.chmodSync(file(), 0o644);
    stored = user('h:the-password-1234567890', true);
    const login = await ensureAdminLogin(deps());
    expect(login).toEqual({ state: 'ready', password: 'the-password-1234567890', file: file() });
    expect(fs.statSync(file()).mode & 0o777).toBe(0o600);
    expect(gateway.registered).toEqual([]);
    expect(granted).toEqual([]);
  });

  it('grants the role again to its own account that lacks it (a crash between registering and granting)', async () => {
    fs.writeFileSync(file(), 'pw-abcdefghijklmnopqrstuvwxyz\n', { mode: 0o600 });
    stored = user('h:pw-abcdefghijklmnopqrstuvwxyz', false);
    await expect(ensureAdminLogin(deps())).resolves.toMatchObject({ state: 'ready' });
    expect(granted).toEqual([['u-admin', true]]);
  });

  it('never makes an admin of an account named admin that it did not create, and keeps no file for it', async () => {
    stored = user('h:someone-elses-password', false);
    const login = await ensureAdminLogin(deps());
    expect(login).toEqual({ state: 'taken' });
    expect(granted).toEqual([]);
    expect(gateway.registered).toEqual([]);
    expect(fs.existsSync(file())).toBe(false);
    expect(adminLoginLine(login, 'data/admin-password')).toMatch(/^ {2}admin login: none \(/);
  });

  it('gives up quietly when someone registers admin first (409), granting nothing', async () => {
    await gateway.close();
    gateway = await fakeGateway(409);
    await expect(ensureAdminLogin(deps())).resolves.toEqual({ state: 'taken' });
    expect(granted).toEqual([]);
    expect(fs.existsSync(file())).toBe(false);
  });

  it('says when the admin changed the password, without printing the stale one', async () => {
    fs.writeFileSync(file(), 'old-password-abcdefghijklmn\n', { mode: 0o600 });
    stored = user('h:a-new-one', true);
    const login = await ensureAdminLogin(deps());
    expect(login).toEqual({ state: 'changed', file: file() });
    expect(adminLoginLine(login, 'data/admin-password')).not.toContain('old-password');
    expect(granted).toEqual([]);
  });
});
