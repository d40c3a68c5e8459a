import type { ParleyClient } from '@parley/client';
import type { CommandInput, CommandName, CommandResults, ConversationSettings, UserSettings } from '@parley/protocol';
import type { Action } from './state/actions';
import type { State } from './state/types';

export interface SettingsHost {
  client: ParleyClient;
  dispatch(action: Action): void;
  state(): State;
  run<K extends CommandName>(name: K, payload: CommandInput<K>, quiet?: boolean): Promise<CommandResults[K] | undefined>;
  /** Whether the page is in front of the user now. */
  isVisible(): boolean;
}

/** My settings, each conversation's notification and pin settings, and the page's visibility as the server knows it. */
export class SettingsActions {
  /** The visibility last told to the server (`presence:visibility`), so only changes are sent. */
  private toldVisible: boolean | undefined;

  constructor(private readonly host: SettingsHost) {}

  async load(): Promise<void> {
    const r = await this.host.run('settings:get', {}, true);
    if (r) this.host.dispatch({ type: 'settings/changed', settings: r.settings });
  }

  /** Changes my settings: shown at once, then what the server kept (the old value if it refused). */
  async update(patch: Partial<Omit<UserSettings, 'dnd'>> & { dnd?: UserSettings['dnd'] }): Promise<void> {
    const previous = this.host.state().settings;
    if (previous) this.host.dispatch({ type: 'settings/changed', settings: { ...previous, ...patch } });
    const r = await this.host.run('settings:update', patch);
    if (r) this.host.dispatch({ type: 'settings/changed', settings: r.settings });
    else if (previous) this.host.dispatch({ type: 'settings/changed', settings: previous });
  }

  /** Pins, mutes or changes which messages of a conversation notify me; the list shows it at once. */
  async conversation(patch: { conversationId: string; notify?: ConversationSettings['notify']; mutedUntil?: number | null; pinned?: boolean }): Promise<void> {
    const r = await this.host.run('conversation:settings', patch);
    if (r) this.host.dispatch({ type: 'conversation/settings', settings: r.settings });
  }

  /** Tells the server whether the page is shown (pushes go to hidden tabs), when that changed; `fresh`: a new socket, which counts as visible until told. */
  reportVisibility(fresh = false): void {
    if (fresh) this.toldVisible = undefined;
    const visible = this.host.isVisible();
    if (visible === this.toldVisible) return;
    this.toldVisible = visible;
    this.host.client.setVisibility(visible).catch(() => {
      if (this.toldVisible === visible) this.toldVisible = undefined; // told again on the next change or reconnect
    });
  }
}
