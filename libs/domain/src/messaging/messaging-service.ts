import type { CommandPayload, CommandResults, Message } from '@parley/protocol';
import type { Logger } from '@parley/util';
import type { MessageAttachments } from '../attachments/message-attachments';
import { ContentPolicy } from '../content/content-policy';
import { RateLimiter } from '../limits/rate-limiter';
import type { AppendResult, Clock, GroupStore, IdGenerator, MessageStore, NewMessage, Notifier, SocialStore, Throttle } from '../ports';
import { assertMayMessage } from '../social/relation-rules';
import { conversationRooms, requireMembership } from './conversation-access';
import { historyPage, syncPages } from './log-pages';
import { MessageChanges } from './message-changes';
import { MessageSearch } from './message-search';
import { conversationIdOf, resolveSendTarget, type ResolvedTarget } from './post-rights';
import { SendBudget } from './send-budget';
import { prepareSendContent, type SendContent } from './send-content';

export interface MessagingOptions {
  /** How long after sending its sender may recall a message (PARLEY_RECALL_WINDOW_MS). @default 120000 */
  recallWindowMs: number;
  /** Searches per user per second through a node, after a burst. @default 10 */
  searchRatePerSec: number;
  /** @default 20 */
  searchBurst: number;
}

/** The one place these defaults are written; the node's options and the app's config reuse them. */
export const DEFAULT_MESSAGING_OPTIONS: Readonly<MessagingOptions> = Object.freeze({
  recallWindowMs: 120_000,
  searchRatePerSec: 10,
  searchBurst: 20,
});

export interface MessagingServiceDeps {
  store: MessageStore & SocialStore & GroupStore;
  notifier: Notifier;
  ids: IdGenerator;
  clock: Clock;
  /** Sends and changes per user through this node; over it RATE_LIMITED with retryAfterMs. */
  sendLimiter?: RateLimiter;
  /**
   * Sends and changes per user across the whole cluster (a shared counter,
   * keyed by the user id). Asked after `sendLimiter`, so a flood is refused
   * on the node before it costs a round trip to the counter's store.
   */
  sendQuota?: Throttle;
  /** Uploads for image and file sends; none: those sends are UNAVAILABLE. */
  attachments?: MessageAttachments;
  /** What message text must pass (word filter, moderation webhook). @default a policy that passes everything */
  content?: ContentPolicy;
  options?: Partial<MessagingOptions>;
  logger?: Logger;
  /** Told of each freshly stored message (never a retry's duplicate), to push it to members who are away. @default none */
  awayNotifications?: { messageStored(message: Message): void };
}

/**
 * The message pipeline: authorize from identity, commit, then push. The ack
 * (the returned message) exists only once the store has committed it.
 * Changes to messages (MessageChanges) and search (MessageSearch) are parts
 * of its own; this class is their one face to the socket layer.
 */
export class MessagingService {
  private readonly budget: SendBudget;
  private readonly content: ContentPolicy;
  private readonly changes: MessageChanges;
  private readonly searcher: MessageSearch;

  constructor(private readonly deps: MessagingServiceDeps) {
    const options = { ...DEFAULT_MESSAGING_OPTIONS, ...deps.options };
    this.budget = new SendBudget(deps.sendLimiter, deps.sendQuota);
    this.content = deps.content ?? new ContentPolicy();
    this.changes = new MessageChanges({ ...deps, budget: this.budget, content: this.content, recallWindowMs: options.recallWindowMs });
    this.searcher = new MessageSearch({
      store: deps.store,
      limiter: new RateLimiter(deps.clock, { ratePerSec: options.searchRatePerSec, burst: options.searchBurst }),
    });
  }

  /** `sessionId`: the sending session, which gets the message in its ack rather than as a push. */
  async send(senderId: string, input: CommandPayload<'message:send'>, sessionId?: string): Promise<Message> {
    return (await this.submit(senderId, input, sessionId)).message;
  }

  /** As send, saying also whether the message was stored before (`duplicate`: a retry of its clientMsgId). */
  async submit(senderId: string, input: CommandPayload<'message:send'>, sessionId?: string): Promise<AppendResult> {
    const result = await this.budget.spendInSteps(
      senderId,
      () => this.check(senderId, input),
      (checked) => ('stored' in checked ? Promise.resolve(checked.stored) : this.deps.store.appendMessage(checked.message)),
      (r) => !r.duplicate,
      // A moderation service is asked only for sends within the quota.
      !this.content.asksService,
    );
    // A retry of a message its sender has since deleted for themselves: the
    // ack answers it, but a push would bring it back on their other devices.
    if (result.duplicate && (await this.deps.store.getMessageForActor(senderId, result.message.id))?.hiddenForActor) return result;
    // Pushed again on a retried send too: the earlier attempt may have died
    // between commit and push, and clients drop ids they already hold.
    this.deps.notifier.publish(conversationRooms(result.message), 'message:new', result.message, result.message.id, {
      exceptSession: sessionId,
    });
    if (!result.duplicate) this.deps.awayNotifications?.messageStored(result.message);
    return result;
  }

  /**
   * Authorizes the send and makes the message to store; or, when it was
   * stored before (a retry), answers with the stored one.
   */
  private async check(senderId: string, input: CommandPayload<'message:send'>): Promise<{ stored: AppendResult } | { message: NewMessage }> {
    const { store } = this.deps;
    // With a moderation service, a retry is answered before it is asked: once per message.
    if (this.content.asksService) {
      const stored = await this.storedRetry(senderId, input);
      if (stored) return { stored: { message: stored, duplicate: true } };
    }
    let target: ResolvedTarget;
    let content: SendContent;
    try {
      target = await resolveSendTarget(store, this.deps.clock, senderId, input.to);
      content = await prepareSendContent({ store, content: this.content, attachments: this.deps.attachments }, senderId, target, input);
    } catch (err) {
      // A retry of a send stored before the sender lost the right (muted,
      // unfriended, kicked; the replied message deleted) still gets its
      // original ack: it was accepted then.
      const stored = await this.storedRetry(senderId, input);
      if (stored) return { stored: { message: stored, duplicate: true } };
      throw err;
    }
    return {
      message: {
        id: this.deps.ids.next(),
        conversationId: target.conversationId,
        conversationType: target.type,
        memberIds: target.memberIds,
        senderId,
        ...content,
        clientMsgId: input.clientMsgId,
        createdAt: this.deps.clock.now(),
      },
    };
  }

  private async storedRetry(senderId: string, input: CommandPayload<'message:send'>): Promise<Message | null> {
    const stored = await this.deps.store.findMessageByClientMsgId(senderId, input.clientMsgId);
    return stored && stored.conversationId === conversationIdOf(senderId, input.to) ? stored : null;
  }

  /** `message:edit`: the edited message as it is now. */
  edit(userId: string, input: CommandPayload<'message:edit'>): Promise<Message> {
    return this.changes.edit(userId, input);
  }

  recall(userId: string, input: CommandPayload<'message:recall'>): Promise<void> {
    return this.changes.recall(userId, input.messageId);
  }

  react(userId: string, input: CommandPayload<'message:react'>): Promise<void> {
    return this.changes.react(userId, input);
  }

  /** `message:delete`: hides the message from this user only. */
  delete(userId: string, input: CommandPayload<'message:delete'>): Promise<void> {
    return this.changes.delete(userId, input.messageId);
  }

  versions(userId: string, input: CommandPayload<'message:versions'>): Promise<CommandResults['message:versions']> {
    return this.changes.versions(userId, input.messageId);
  }

  search(userId: string, input: CommandPayload<'message:search'>): Promise<CommandResults['message:search']> {
    return this.searcher.search(userId, input);
  }

  sync(userId: string, input: CommandPayload<'sync'>): Promise<CommandResults['sync']> {
    return syncPages(this.deps.store, userId, input);
  }

  async history(userId: string, input: CommandPayload<'history:fetch'>): Promise<CommandResults['history:fetch']> {
    const membership = await requireMembership(this.deps.store, userId, input.conversationId);
    return historyPage(this.deps.store, userId, membership, input);
  }

  async ackDelivered(userId: string, input: CommandPayload<'message:ack'>): Promise<void> {
    await requireMembership(this.deps.store, userId, input.conversationId);
    await this.deps.store.advanceCursor(userId, input.conversationId, 'delivered', input.seq);
  }

  async markRead(userId: string, input: CommandPayload<'conversation:read'>): Promise<void> {
    const membership = await requireMembership(this.deps.store, userId, input.conversationId);
    const readSeq = Math.min(input.seq, membership.lastSeq);
    await this.deps.store.advanceCursor(userId, input.conversationId, 'read', readSeq);
    this.deps.notifier.publish(conversationRooms(membership), 'message:receipt', {
      conversationId: input.conversationId,
      userId,
      readSeq,
    });
  }

  async typing(userId: string, conversationId: string): Promise<void> {
    const membership = await requireMembership(this.deps.store, userId, conversationId);
    if (membership.peerId) {
      // Typing in a direct chat follows the same rules as messaging (blocks, DM policy).
      await assertMayMessage(this.deps.store, userId, membership.peerId);
    }
    this.deps.notifier.publish(conversationRooms(membership), 'typing', { conversationId, userId });
  }
}
