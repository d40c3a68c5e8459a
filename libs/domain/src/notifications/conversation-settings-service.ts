import { ParleyError, parseConversationId, userRoom, type CommandPayload, type ConversationSettings } from '@parley/protocol';
import type { Clock, ConversationSettingsPatch, NotificationStore, Notifier } from '../ports';

export interface ConversationSettingsServiceDeps {
  store: NotificationStore;
  notifier: Notifier;
  clock: Clock;
}

/**
 * `conversation:settings`: one's own notification and pin settings of a
 * conversation one belongs to. The command only ever acts on the caller; the
 * store refuses non-members (NOT_FOUND) and a pin past MAX_PINNED (CONFLICT).
 */
export class ConversationSettingsService {
  constructor(private readonly deps: ConversationSettingsServiceDeps) {}

  /** Applies the patch, then tells the user's other sessions (`sessionId`, the caller's, has it from its ack). */
  async update(userId: string, input: CommandPayload<'conversation:settings'>, sessionId?: string): Promise<ConversationSettings> {
    if (!parseConversationId(input.conversationId)) throw new ParleyError('INVALID_ARGUMENT', 'conversationId: malformed');
    const settings = await this.deps.store.updateConversationSettings(userId, input.conversationId, this.toPatch(input));
    this.deps.notifier.publish([userRoom(userId)], 'conversation:settings', { settings }, undefined, { exceptSession: sessionId });
    return settings;
  }

  private toPatch(input: CommandPayload<'conversation:settings'>): ConversationSettingsPatch {
    const now = this.deps.clock.now();
    const patch: ConversationSettingsPatch = {};
    if (input.notify !== undefined) patch.notify = input.notify;
    // A mute that already ended is no mute: stored as null, like an unmute.
    if (input.mutedUntil !== undefined) patch.mutedUntil = input.mutedUntil !== null && input.mutedUntil > now ? input.mutedUntil : null;
    if (input.pinned !== undefined) patch.pinnedAt = input.pinned ? now : null;
    return patch;
  }
}
