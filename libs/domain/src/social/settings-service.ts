import type { CommandPayload, UserSettings } from '@parley/protocol';
import { ParleyError } from '@parley/protocol';
import type { UserRecord, UserStore } from '../ports';

export interface SettingsServiceDeps {
  store: UserStore;
}

const toSettings = (user: UserRecord): UserSettings => ({ dmPolicy: user.dmPolicy, groupInvites: user.groupInvites });

/** A user's own settings (who may message them directly, which group invitations ask them); nobody reads or changes another's. */
export class SettingsService {
  constructor(private readonly deps: SettingsServiceDeps) {}

  /** `settings:get`: the caller's own settings. */
  async get(userId: string): Promise<UserSettings> {
    const user = await this.deps.store.getUser(userId);
    if (!user) throw new ParleyError('NOT_FOUND', 'user not found');
    return toSettings(user);
  }

  /** `settings:update`: patches the caller's own settings only. */
  async update(userId: string, input: CommandPayload<'settings:update'>): Promise<UserSettings> {
    return toSettings(await this.deps.store.updateProfile(userId, { dmPolicy: input.dmPolicy, groupInvites: input.groupInvites }));
  }
}
