import type { UserStore } from '@parley/domain';
import { usernameKey } from '@parley/protocol';
import type { Logger } from '@parley/util';

/**
 * Warns once per name PARLEY_ADMIN_USERS lists that no account holds: the
 * name is reserved (public registration refuses it), so nobody can take it
 * and nobody is admin by it until the operator registers it with the name
 * unlisted, then lists it again. Returns the names warned of.
 */
export async function warnUnclaimedAdminNames(
  store: Pick<UserStore, 'findUserByUsername'>,
  adminUsernames: readonly string[],
  logger: Pick<Logger, 'warn'>,
): Promise<string[]> {
  // One per name as usernames compare (ignoring case and width).
  const byKey = new Map(adminUsernames.map((name) => name.trim()).filter((name) => name.length > 0).map((name) => [usernameKey(name), name] as const));
  const names = [...byKey.values()];
  const holders = await Promise.all(names.map((name) => store.findUserByUsername(name)));
  const unclaimed = names.filter((_, i) => !holders[i]);
  for (const username of unclaimed) {
    logger.warn(
      { username },
      'PARLEY_ADMIN_USERS lists a username no account holds: it is reserved (registration refuses it) and makes nobody an admin; to use it, unlist it, register the account, then list it again',
    );
  }
  return unclaimed;
}
