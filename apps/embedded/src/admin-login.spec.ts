import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StoreError, type NewUser, type UserRecord } from '@parley/domain';
import { sequenceIds } from '@parley/domain/testing';
import { SqliteStore } from '@parley/store';
import { adminLoginLine, ensureAdminLogin, type AdminLoginDeps } from './admin-login';

function user(passwordHash: string, admin: boolean): UserRecord {
  return { id: 'u-admin', username: 'admin', displayName: 'Admin', avatarUrl: null, bio: null, passwordHash, dmPolicy: 'friends', groupInvites: 'friends', createdAt: 1, deletedAt: null, suspendedAt: null, admin, previews: false, dnd: null };
}

describe('the embedded admin login', () => {
  let dataDir: string;
  let stored: UserRecord | null;
  let granted: Array<[string, boolean]>;
  let created: NewUser[];
  /** Someone takes `admin` between the look-up and the create. */
  let raced: boolean;

  const deps = (): AdminLoginDeps => ({
    dataDir,
    users: {
      findUserByUsername: (name) => Promise.resolve(name === 'admin' ? stored : null),
      createUser: async (record) => {
        if (raced) throw new StoreError('username-taken');
        created.push(record);
        return { ...user(record.passwordHash, false), ...record };
      },
      setUserAdmin: (id, admin) => {
        granted.push([id, admin]);
        return Promise.resolve(user('x', admin));
      },
    },
    // A stand-in for argon2: the hash of p is "h:p".
    hasher: { hash: (password) => Promise.resolve(`h:${password}`), verify: (hash, password) => Promise.resolve(hash === `h:${password}`) },
    ids: sequenceIds('u-admin'),
    clock: { now: () => 7 },
  });
  const file = () => path.join(dataDir, 'admin-password');

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-admin-login-'));
    stored = null;
    granted = [];
    created = [];
    raced = false;
  });
  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('on first start creates admin in the store (not through public registration) with a strong random password kept 0600, and grants the role', async () => {
    const login = await ensureAdminLogin(deps());
    const password = fs.readFileSync(file(), 'utf8').trim();
    expect(fs.statSync(file()).mode & 0o777).toBe(0o600);
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(login).toEqual({ state: 'ready', password, file: file() });
    expect(created).toEqual([{ id: expect.stringMatching(/^u-admin/), username: 'admin', displayName: 'Admin', passwordHash: `h:${password}`, createdAt: 7 }]);
    expect(granted).toEqual([[created[0]?.id, true]]);
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
    expect(created).toEqual([]);
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
    expect(created).toEqual([]);
    expect(fs.existsSync(file())).toBe(false);
    expect(adminLoginLine(login, 'data/admin-password')).toMatch(/^ {2}admin login: none \(/);
  });

  it('gives up quietly when someone registers admin first (the name is taken), granting nothing', async () => {
    raced = true;
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

  it('over a real store: the account it makes signs in with the printed password and is an admin, on this start and the next', async () => {
    const store = new SqliteStore({ filename: ':memory:' });
    await store.migrate();
    try {
      const hasher = { hash: (p: string) => Promise.resolve(`h:${p}`), verify: (h: string, p: string) => Promise.resolve(h === `h:${p}`) };
      const real = { dataDir, users: store, hasher, ids: sequenceIds('u'), clock: { now: () => 7 } };
      const first = await ensureAdminLogin(real);
      expect(first).toMatchObject({ state: 'ready' });
      const made = await store.findUserByUsername('admin');
      expect(made).toMatchObject({ admin: true, displayName: 'Admin' });
      expect(first.state === 'ready' && made?.passwordHash === `h:${first.password}`).toBe(true);
      await expect(ensureAdminLogin(real)).resolves.toEqual(first);
      expect(await store.searchUsers('admin', 10, 0)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});
