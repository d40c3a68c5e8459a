import type { CommandPayload, UserSettings } from '@parley/protocol';
import { ParleyError } from '@parley/protocol';
import type { Store, UserRecord } from '../ports';

const toSettings = (user: UserRecord): UserSettings => ({ dmPolicy: user.dmPolicy });

/** `settings:get`: the caller's own settings. */
export async function getSettings(store: Store, userId: string): Promise<UserSettings> {
  const user = await store.getUser(userId);
  if (!user) throw new ParleyError('NOT_FOUND', 'user not found');
  return toSettings(user);
}

/** `settings:update`: patches the caller's own settings only. */
export async function updateSettings(
  store: Store,
  userId: string,
  input: CommandPayload<'settings:update'>,
): Promise<UserSettings> {
  return toSettings(await store.updateProfile(userId, { dmPolicy: input.dmPolicy }));
}
