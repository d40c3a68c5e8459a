import {
  ParleyError,
  directConversationId,
  groupConversationId,
  type CommandPayload,
  type CommandResults,
  type Message,
  type NewMessageTarget,
} from '@parley/protocol';
import { must } from '@parley/util';
import type { RateLimiter } from '../limits/rate-limiter';
import type { AppendResult, Clock, GroupStore, IdGenerator, MessageStore, Notifier, SocialStore, Throttle } from '../ports';
import { assertMayMessage } from '../social/relation-rules';
import { conversationRooms, requireMembership } from './conversation-access';

export interface MessagingServiceDeps {
  store: MessageStore & SocialStore & GroupStore;
  notifier: Notifier;
  ids: IdGenerator;
  clock: Clock;
  /** Sends per user through this node; over it a send gets RATE_LIMITED with retryAfterMs. */
  sendLimiter?: RateLimiter;
  /**
   * Sends per user across the whole cluster (a shared counter, keyed by the
   * user id). Asked after `sendLimiter`, so a flood is refused on the node
   * before it costs a round trip to the counter's store.
   */
  sendQuota?: Throttle;
}

/**
 * The message pipeline: authorize from identity, commit, then push. The ack
 * (the returned message) exists only once the store has committed it.
 */
export class MessagingService {
  constructor(private readonly deps: MessagingServiceDeps) {}

  /** `sessionId`: the sending session, which gets the message in its ack rather than as a push. */
  async send(senderId: string, input: CommandPayload<'message:send'>, sessionId?: string): Promise<Message> {
    return (await this.submit(senderId, input, sessionId)).message;
  }

  /** As send, saying also whether the message was stored before (`duplicate`: a retry of its clientMsgId). */
  async submit(senderId: string, input: CommandPayload<'message:send'>, sessionId?: string): Promise<AppendResult> {
    const allowed = this.deps.sendLimiter?.take(senderId);
    if (allowed && !allowed.ok) {
      throw new ParleyError('RATE_LIMITED', 'sending too fast', { retryAfterMs: allowed.retryAfterMs });
    }
    const quota = await this.deps.sendQuota?.consume(senderId);
    if (quota && !quota.ok) {
      throw new ParleyError('RATE_LIMITED', 'sending too fast across your sessions', { retryAfterMs: quota.retryAfterMs });
    }
    // Only a send that stores a new message uses the cluster quota: a retry
    // answered with the stored message, or a send refused or failed, gives
    // its point back (a client retrying after a reconnect must not be
    // limited for messages already stored).
    let appended = false;
    try {
      const result = await this.append(senderId, input);
      appended = !result.duplicate;
      // Pushed again on a retried send too: the earlier attempt may have died
      // between commit and push, and clients drop ids they already hold.
      this.deps.notifier.publish(conversationRooms(result.message), 'message:new', result.message, result.message.id, {
        exceptSession: sessionId,
      });
      return result;
    } finally {
      // A refund that fails leaves the point spent (a limit slightly early), never fails the send.
      if (quota && !appended) await this.deps.sendQuota?.refund(senderId).catch(() => undefined);
    }
  }

  /** Authorizes and stores the send; `duplicate` when it was stored before (a retry). */
  private async append(senderId: string, input: CommandPayload<'message:send'>): Promise<AppendResult> {
    let target: ResolvedTarget;
    try {
      target = await this.resolveTarget(senderId, input.to);
    } catch (err) {
      // A retry of a send stored before the sender lost the right (muted,
      // unfriended, kicked) still gets its original ack: it was accepted then.
      const stored = await this.deps.store.findMessageByClientMsgId(senderId, input.clientMsgId);
      if (stored && stored.conversationId === conversationIdOf(senderId, input.to)) return { message: stored, duplicate: true };
      throw err;
    }
    return this.deps.store.appendMessage({
      id: this.deps.ids.next(),
      conversationId: target.conversationId,
      conversationType: target.type,
      memberIds: target.memberIds,
      senderId,
      kind: input.kind,
      body: { text: input.body.text },
      clientMsgId: input.clientMsgId,
      createdAt: this.deps.clock.now(),
    });
  }

  async sync(userId: string, input: CommandPayload<'sync'>): Promise<CommandResults['sync']> {
    const memberships = await this.deps.store.listMemberConversations(userId);
    const behind = memberships
      .map((membership) => ({ membership, afterSeq: input.since?.[membership.conversationId] ?? membership.deliveredSeq }))
      .filter(({ membership, afterSeq }) => membership.lastSeq > afterSeq);
    const pages = await this.deps.store.getMessagesAfter(
      behind.map(({ membership, afterSeq }) => ({ conversationId: membership.conversationId, afterSeq })),
      input.limit,
    );
    const conversations = behind.map(({ membership }, i) => {
      // One page per range, in the ranges' order (the port's contract).
      const messages = must(pages[i], 'a page of getMessagesAfter');
      const last = messages.at(-1);
      return {
        conversationId: membership.conversationId,
        messages,
        hasMore: last !== undefined && last.seq < membership.lastSeq,
      };
    });
    return { conversations };
  }

  async history(userId: string, input: CommandPayload<'history:fetch'>): Promise<CommandResults['history:fetch']> {
    const membership = await requireMembership(this.deps.store, userId, input.conversationId);
    // Neither bound given: the newest page.
    const beforeSeq =
      input.beforeSeq ?? (input.afterSeq === undefined ? membership.lastSeq + 1 : undefined);
    const messages = await this.deps.store.getMessages(input.conversationId, {
      afterSeq: input.afterSeq,
      beforeSeq,
      limit: input.limit,
    });
    return { messages, hasMore: hasMoreInRange(messages, input, membership.lastSeq) };
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

  private async resolveTarget(senderId: string, to: NewMessageTarget): Promise<ResolvedTarget> {
    if (to.type === 'user') {
      if (to.id === senderId) throw new ParleyError('INVALID_ARGUMENT', 'to.id: cannot message yourself');
      await assertMayMessage(this.deps.store, senderId, to.id);
      return { type: 'direct', conversationId: directConversationId(senderId, to.id), memberIds: [senderId, to.id] };
    }
    const context = await this.deps.store.getGroupPostContext(to.id, senderId);
    if (!context) throw new ParleyError('NOT_FOUND', 'group not found');
    const { member, muteAll } = context;
    if (!member) throw new ParleyError('FORBIDDEN', 'not a member of this group');
    if (member.mutedUntil !== null && member.mutedUntil > this.deps.clock.now()) {
      throw new ParleyError('FORBIDDEN', `you are muted in this group until ${new Date(member.mutedUntil).toISOString()}`);
    }
    if (member.role === 'member' && muteAll) {
      throw new ParleyError('FORBIDDEN', 'only the owner and admins may post in this group now');
    }
    return { type: 'group', conversationId: groupConversationId(to.id), memberIds: [] };
  }
}

function conversationIdOf(senderId: string, to: NewMessageTarget): string {
  return to.type === 'user' ? directConversationId(senderId, to.id) : groupConversationId(to.id);
}

interface ResolvedTarget {
  type: 'direct' | 'group';
  conversationId: string;
  memberIds: string[];
}

function hasMoreInRange(
  messages: readonly Message[],
  input: CommandPayload<'history:fetch'>,
  lastSeq: number,
): boolean {
  const first = messages[0];
  const last = messages.at(-1);
  if (!first || !last) return false;
  if (input.afterSeq !== undefined) {
    const upper = input.beforeSeq !== undefined ? Math.min(input.beforeSeq - 1, lastSeq) : lastSeq;
    return last.seq < upper;
  }
  return first.seq > 1;
}
