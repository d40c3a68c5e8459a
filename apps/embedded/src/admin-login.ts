import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isStoreError, type AdminStore, type Clock, type IdGenerator, type PasswordHasher, type UserStore } from '@parley/domain';
import { narrowToOwner } from '@parley/util-node';

/** The account embedded mode makes for the ops console. */
export const ADMIN_USERNAME = 'admin';
export const ADMIN_PASSWORD_FILE = 'admin-password';

export interface AdminLoginDeps {
  dataDir: string;
  /**
   * The account is created in the store directly, not through the public
   * registration route: that route refuses names PARLEY_ADMIN_USERS lists,
   * and an operator may list `admin`.
   */
  users: Pick<UserStore, 'findUserByUsername' | 'createUser'> & Pick<AdminStore, 'setUserAdmin'>;
  hasher: Pick<PasswordHasher, 'hash' | 'verify'>;
  ids: IdGenerator;
  clock: Clock;
}

/**
 * What the banner says about the admin login:
 * - `ready`: `admin` signs in with `password` (kept in `file`) and has the admin role;
 * - `changed`: `admin` is ours but its password is no longer the file's (changed in the web client);
 * - `taken`: an account named `admin` exists that embedded mode did not make; it is left alone, without the role.
 */
export type AdminLogin = { state: 'ready'; password: string; file: string } | { state: 'changed'; file: string } | { state: 'taken' };

/**
 * Makes sure embedded mode has an operator: on first start an `admin` account
 * with a random password (192 random bits: past any password rule) and the
 * admin role in the store; the
 * password in `<data>/admin-password`, 0600 like the token secret. The file
 * is written before the account exists, so an account whose password is the
 * file's random one can only be the one made here: only that one gets the
 * role. The password is returned for the banner, never logged.
 */
export async function ensureAdminLogin(deps: AdminLoginDeps): Promise<AdminLogin> {
  const file = path.join(deps.dataDir, ADMIN_PASSWORD_FILE);
  const { password, fresh } = readOrCreatePassword(file);
  const existing = await deps.users.findUserByUsername(ADMIN_USERNAME);
  if (!existing) {
    const userId = await create(deps, password);
    if (userId === undefined) return forget(file, fresh);
    await deps.users.setUserAdmin(userId, true);
    return { state: 'ready', password, file };
  }
  if (await deps.hasher.verify(existing.passwordHash, password)) {
    // Made here (only this file knew the password); the role may be missing after a crash between the two steps.
    if (!existing.admin) await deps.users.setUserAdmin(existing.id, true);
    return { state: 'ready', password, file };
  }
  if (fresh || !existing.admin) return forget(file, fresh);
  return { state: 'changed', file };
}

/** The banner's line for it (stdout only: the password never goes through the logger). */
export function adminLoginLine(login: AdminLogin, shownFile: string): string {
  switch (login.state) {
    case 'ready':
      return `  admin login: ${ADMIN_USERNAME} / ${login.password} (from ${shownFile})`;
    case 'changed':
      return `  admin login: ${ADMIN_USERNAME} (its password was changed since; ${shownFile} no longer holds it)`;
    case 'taken':
      return `  admin login: none (an account named ${ADMIN_USERNAME} exists that embedded mode did not create; it was not made an admin)`;
  }
}

function readOrCreatePassword(file: string): { password: string; fresh: boolean } {
  if (fs.existsSync(file)) {
    narrowToOwner(file);
    const password = fs.readFileSync(file, 'utf8').trim();
    if (password.length > 0) return { password, fresh: false };
  }
  // 192 random bits; base64url has only characters every password rule takes.
  const password = crypto.randomBytes(24).toString('base64url');
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
  narrowToOwner(file);
  return { password, fresh: true };
}

/** A file written for an account that could not be made (the name was taken first) is removed: it would open nothing. */
function forget(file: string, fresh: boolean): AdminLogin {
  if (fresh) fs.rmSync(file, { force: true });
  return { state: 'taken' };
}

/**
 * Creates the `admin` account in the store (no sign-in: nobody holds its
 * tokens until the operator signs in). Returns its id, or undefined when the
 * username was taken in the meantime.
 */
async function create(deps: AdminLoginDeps, password: string): Promise<string | undefined> {
  const passwordHash = await deps.hasher.hash(password);
  try {
    const user = await deps.users.createUser({ id: deps.ids.next(), username: ADMIN_USERNAME, displayName: 'Admin', passwordHash, createdAt: deps.clock.now() });
    return user.id;
  } catch (err) {
    if (isStoreError(err, 'username-taken')) return undefined;
    throw err;
  }
}
