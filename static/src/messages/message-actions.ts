import type { ParleyClient } from '@parley/client';
import type { CommandResults, Message } from '@parley/protocol';
import { describe } from '../describe-error';
import type { Action } from '../state/actions';
import { applyEntry, withReaction } from '../state/message-changes';
import type { State } from '../state/types';

/**
 * The server's default PARLEY_RECALL_WINDOW_MS: the menu offers "Recall" on my
 * own messages this long. The server does not publish its setting, and decides:
 * past a shorter window its FORBIDDEN, which says the window, is the toast.
 */
export const RECALL_WINDOW_MS = 120_000;

/** What the message commands need of the chat store they belong to. */
export interface MessageHost {
  readonly client: ParleyClient;
  toast(text: string, tone?: 'info' | 'error'): void;
  dispatch(action: Action): void;
  state(): State;
  meId(): string;
}

/**
 * Edit, recall, react and delete for me. Each acked change shows at once:
 * the message is updated as of a seq just past the newest held (x.5, which no
 * log entry has), so the server's `message:update` for it, or any later
 * change, still applies; nothing older undoes it.
 */
export class MessageActions {
  constructor(private readonly host: MessageHost) {}

  /** Saves new text for my message; false when refused (a toast says why). */
  async edit(m: Message, text: string): Promise<boolean> {
    if (text === m.body.text) return true;
    const message = await this.attempt(() => this.host.client.edit(m.id, text));
    if (message) this.settled(message);
    return message !== undefined;
  }

  async recall(m: Message): Promise<boolean> {
    const done = await this.attempt(async () => (await this.host.client.recall(m.id), true));
    if (done) this.settled(this.change(m, { type: 'recall', messageId: m.id }));
    return done === true;
  }

  /** Puts my reaction on, or takes it off when it is already there. */
  async toggleReaction(m: Message, emoji: string): Promise<void> {
    const held = this.held(m);
    const on = !(held.reactions ?? []).some((r) => r.emoji === emoji && r.userIds.includes(this.host.meId()));
    const done = await this.attempt(async () => (await this.host.client.react(m.id, emoji, on), true));
    if (done) this.settled({ ...this.held(m), reactions: withReaction(this.held(m).reactions, emoji, this.host.meId(), on) });
  }

  /** Hides the message from me (on all my devices); the others keep it. */
  async deleteForMe(m: Message): Promise<boolean> {
    const done = await this.attempt(async () => (await this.host.client.deleteForMe(m.id), true));
    if (done) this.settled({ ...this.held(m), deleted: true });
    return done === true;
  }

  /** Earlier texts of an edited message, oldest first. */
  async versions(m: Message): Promise<CommandResults['message:versions']['versions']> {
    return (await this.attempt(() => this.host.client.versions(m.id))) ?? [];
  }

  /** Whether I may recall this message now: mine within the window, or any (but the owner's) as a group's owner or admin. */
  mayRecall(m: Message, now = Date.now()): boolean {
    if (m.recalled || m.kind === 'system') return false;
    const me = this.host.meId();
    if (m.senderId === me && now - m.createdAt < RECALL_WINDOW_MS) return true;
    const state = this.host.state();
    const group = state.conversations.get(m.conversationId)?.group;
    const members = group ? state.groups.get(group.id)?.members : undefined;
    const role = members?.find((x) => x.user.id === me)?.role;
    if (!group || (role !== 'owner' && role !== 'admin')) return false;
    return role === 'owner' || m.senderId !== group.ownerId;
  }

  /** Runs a request; a refusal becomes a toast and undefined. */
  private async attempt<T>(request: () => Promise<T>): Promise<T | undefined> {
    try {
      return await request();
    } catch (err) {
      this.host.toast(describe(err), 'error');
      return undefined;
    }
  }

  private held(m: Message): Message {
    return this.host.state().threads.get(m.conversationId)?.messages.find((x) => x.id === m.id) ?? m;
  }

  private change(m: Message, change: NonNullable<Message['change']>): Message {
    return applyEntry(this.held(m), { ...m, kind: 'change', change, body: { text: '' }, senderId: this.host.meId(), createdAt: Date.now() });
  }

  private settled(message: Message): void {
    const thread = this.host.state().threads.get(message.conversationId);
    const seqs = [...(thread?.messages ?? []).map((x) => x.seq), ...(thread?.changeSeq?.values() ?? [])];
    const base = Math.floor(Math.max(0, ...seqs));
    this.host.dispatch({ type: 'message/updated', message, entrySeq: base + 0.5, meId: this.host.meId() });
  }
}
