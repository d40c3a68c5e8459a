import { ParleyError, usernameKey } from '@parley/protocol';

/**
 * Usernames only an operator may take: those PARLEY_ADMIN_USERS lists. The
 * list grants admin by name, so a listed name nobody holds yet (or one a
 * deleted account freed) must not be open to public registration; the
 * operator registers the account first and lists its name after. Compared
 * as usernames are (ignoring case and width).
 */
export class ReservedUsernames {
  private readonly keys: ReadonlySet<string>;

  constructor(names: readonly string[]) {
    this.keys = new Set(names.map((name) => usernameKey(name.trim())).filter((key) => key.length > 0));
  }

  has(username: string): boolean {
    return this.keys.has(usernameKey(username));
  }

  /** Throws USERNAME_TAKEN (409) for a reserved name, saying why. */
  refuse(username: string): void {
    if (this.has(username)) {
      throw new ParleyError('USERNAME_TAKEN', 'this username is reserved for an operator (listed in PARLEY_ADMIN_USERS)');
    }
  }
}
