import { ParleyError, userRoom, type CommandPayload, type UserSettings } from '@parley/protocol';
import type { Notifier, UserRecord, UserStore } from '../ports';

export interface SettingsServiceDeps {
  store: UserStore;
  /** Tells the user's other sessions (any node) about a change. */
  notifier: Notifier;
}

const toSettings = (user: UserRecord): UserSettings => ({
  dmPolicy: user.dmPolicy,
  groupInvites: user.groupInvites,
  previews: user.previews,
  dnd: user.dnd,
});

/**
 * A user's own settings (who may message them directly, which group
 * invitations ask them, push previews, do-not-disturb hours); nobody reads or
 * changes another's.
 */
export class SettingsService {
  constructor(private readonly deps: SettingsServiceDeps) {}

  /** `settings:get`: the caller's own settings. */
  async get(userId: string): Promise<UserSettings> {
    const user = await this.deps.store.getUser(userId);
    if (!user) throw new ParleyError('NOT_FOUND', 'user not found');
    return toSettings(user);
  }

  /**
   * `settings:update`: patches the caller's own settings only, then tells the
   * user's other sessions (`sessionId`, the caller's, has them from its ack).
   */
  async update(userId: string, input: CommandPayload<'settings:update'>, sessionId?: string): Promise<UserSettings> {
    const settings = toSettings(
      await this.deps.store.updateProfile(userId, {
        dmPolicy: input.dmPolicy,
        groupInvites: input.groupInvites,
        previews: input.previews,
        dnd: input.dnd,
      }),
    );
    this.deps.notifier.publish([userRoom(userId)], 'settings:update', { settings }, undefined, { exceptSession: sessionId });
    return settings;
  }
}
