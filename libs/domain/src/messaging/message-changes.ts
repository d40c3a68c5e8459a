import {
  CHANGE_CLIENT_MSG_PREFIX,
  ParleyError,
  isContentKind,
  userRoom,
  type CommandResults,
  type Message,
  type MessageEditInput,
  type MessageReactInput,
} from '@parley/protocol';
import { silentLogger, type Logger } from '@parley/util';
import type { MessageAttachments } from '../attachments/message-attachments';
import type { ContentPolicy } from '../content/content-policy';
import type { ChangeResult, Clock, GroupStore, IdGenerator, MemberConversation, MessageStore, NewChange, Notifier, SocialStore } from '../ports';
import { assertMayMessage } from '../social/relation-rules';
import { conversationRooms, requireMembership, requireVisibleMessage } from './conversation-access';
import { assertMayPost } from './post-rights';
import type { SendBudget } from './send-budget';

export interface MessageChangesDeps {
  store: MessageStore & SocialStore & GroupStore;
  notifier: Notifier;
  ids: IdGenerator;
  clock: Clock;
  budget: SendBudget;
  content: ContentPolicy;
  attachments?: MessageAttachments;
  /** How long after sending its sender may recall a message (group admins: always). */
  recallWindowMs: number;
  logger?: Logger;
}

/**
 * Edits, recalls, reactions and deletions: each is authorized here from
 * identity, then appended by the store as a `change` entry of the target's
 * conversation together with the target's new state, then pushed as
 * `message:update`. A change that changes nothing appends and pushes nothing.
 */
export class MessageChanges {
  constructor(private readonly deps: MessageChangesDeps) {}

  /** The sender rewrites a text message they may still post; answers it as it is now. */
  async edit(actorId: string, input: MessageEditInput): Promise<Message> {
    const { store, clock, content } = this.deps;
    const { message, membership } = await requireVisibleMessage(store, actorId, input.messageId);
    if (message.senderId !== actorId) throw new ParleyError('FORBIDDEN', 'only the sender may edit a message');
    if (message.kind !== 'text') throw new ParleyError('INVALID_ARGUMENT', 'only text messages can be edited');
    if (message.recalled) throw new ParleyError('CONFLICT', 'the message was recalled');
    await assertMayPost(store, clock, actorId, membership);
    const result = await this.apply(actorId, membership, async (id) => {
      const text = await content.screenMessage({
        senderId: actorId,
        conversationId: membership.conversationId,
        conversationType: membership.type,
        kind: 'text',
        text: input.body.text,
        clientMsgId: `${CHANGE_CLIENT_MSG_PREFIX}${id}`,
        editOf: message.id,
      });
      return { type: 'edit', targetId: message.id, text };
    });
    return result.target;
  }

  /**
   * Turns a message into a tombstone for everyone: its sender within the
   * recall window, a group's owner or admins at any time (an admin not the
   * owner's). The bytes of its attachment go too.
   */
  async recall(actorId: string, messageId: string): Promise<void> {
    const { store } = this.deps;
    const { message, membership } = await requireVisibleMessage(store, actorId, messageId);
    if (message.kind === 'system') throw new ParleyError('INVALID_ARGUMENT', 'system messages cannot be recalled');
    if (message.recalled) return;
    await this.assertMayRecall(actorId, message, membership);
    const result = await this.apply(actorId, membership, async () => ({ type: 'recall', targetId: message.id }));
    const uploadId = result.removedUploadId;
    if (uploadId === undefined) return;
    // The recall is committed: a failure to remove the bytes now must not
    // answer it as failed. The upload sweep removes them later.
    await this.deps.attachments?.discard(uploadId).catch((err: unknown) => {
      (this.deps.logger ?? silentLogger).warn({ err, uploadId }, 'recall: could not discard the attachment yet; the sweep will');
    });
  }

  /** Puts an emoji on a message or takes it off, for members (direct chats: while the DM rules allow). */
  async react(actorId: string, input: MessageReactInput): Promise<void> {
    const { store } = this.deps;
    const { message, membership } = await requireVisibleMessage(store, actorId, input.messageId);
    if (message.kind === 'system') throw new ParleyError('INVALID_ARGUMENT', 'system messages take no reactions');
    if (message.recalled) throw new ParleyError('CONFLICT', 'the message was recalled');
    if (membership.peerId) await assertMayMessage(store, actorId, membership.peerId);
    await this.apply(actorId, membership, async () => ({ type: 'reaction', targetId: message.id, emoji: input.emoji, on: input.on }));
  }

  /**
   * Hides a message from the actor alone ("delete for me"); only their own
   * sessions are told. Deleting it again is answered as done (a retry whose
   * ack was lost), though the message is no longer visible to them.
   */
  async delete(actorId: string, messageId: string): Promise<void> {
    const { store } = this.deps;
    const found = await store.getMessageForActor(actorId, messageId);
    if (!found || !isContentKind(found.message.kind)) throw new ParleyError('NOT_FOUND', 'message not found');
    const membership = await requireMembership(store, actorId, found.message.conversationId);
    if (found.hiddenForActor) return;
    await this.apply(actorId, membership, async () => ({ type: 'delete', targetId: messageId }));
  }

  /** Earlier texts of a message, for the members who can see it. */
  async versions(viewerId: string, messageId: string): Promise<CommandResults['message:versions']> {
    const { message } = await requireVisibleMessage(this.deps.store, viewerId, messageId);
    return { versions: await this.deps.store.getMessageVersions(message.id) };
  }

  /**
   * Spends from the actor's send budget (kept only when an entry was
   * appended), stores the change, then pushes the target's new state with
   * the entry: to the conversation, or for a deletion to the actor alone.
   */
  private async apply(
    actorId: string,
    membership: MemberConversation,
    describe: (id: string) => Promise<Pick<NewChange, 'type' | 'targetId' | 'text' | 'emoji' | 'on'>>,
  ): Promise<ChangeResult> {
    const { store, notifier, ids, clock, budget } = this.deps;
    const result = await budget.spend(
      actorId,
      async () => {
        const id = ids.next();
        const change = await describe(id);
        return store.applyChange({ ...change, id, conversationId: membership.conversationId, actorId, createdAt: clock.now() });
      },
      (r) => r.entry !== null,
    );
    const { entry, target } = result;
    if (entry) {
      const rooms = entry.change?.type === 'delete' ? [userRoom(actorId)] : conversationRooms(membership);
      notifier.publish(rooms, 'message:update', { message: target, entry }, entry.id);
    }
    return result;
  }

  private async assertMayRecall(actorId: string, message: Message, membership: MemberConversation): Promise<void> {
    const { store, clock, recallWindowMs } = this.deps;
    const own = message.senderId === actorId;
    if (own && clock.now() - message.createdAt <= recallWindowMs) return;
    if (membership.groupId) {
      const actor = await store.getGroupMember(membership.groupId, actorId);
      if (actor?.role === 'owner') return;
      if (actor?.role === 'admin') {
        const sender = own ? actor : await store.getGroupMember(membership.groupId, message.senderId);
        if (sender?.role === 'owner') throw new ParleyError('FORBIDDEN', "an admin cannot recall the owner's messages");
        return;
      }
    }
    if (own) throw new ParleyError('FORBIDDEN', `a message can be recalled only within ${formatWindow(recallWindowMs)} of sending`);
    throw new ParleyError('FORBIDDEN', 'only the sender (or a group admin) may recall a message');
  }
}

function formatWindow(ms: number): string {
  const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (ms > 0 && ms % 60_000 === 0) return count(ms / 60_000, 'minute');
  return ms % 1000 === 0 ? count(ms / 1000, 'second') : `${ms} ms`;
}
