import {
  MENTION_ALL,
  ParleyError,
  isContentKind,
  type Attachment,
  type MessageBody,
  type SendMessageInput,
} from '@parley/protocol';
import type { MessageAttachments } from '../attachments/message-attachments';
import type { ContentPolicy } from '../content/content-policy';
import type { GroupStore, MessageStore } from '../ports';
import type { ResolvedTarget } from './post-rights';

export interface SendContentDeps {
  store: MessageStore & GroupStore;
  content: ContentPolicy;
  /** None configured: image and file sends are UNAVAILABLE. */
  attachments?: MessageAttachments;
}

/** What a send stores besides its ids and target: checked references, the claimed upload, screened text. */
export interface SendContent {
  kind: 'text' | 'image' | 'file';
  body: MessageBody;
  replyTo?: string;
  mentions?: string[];
}

/**
 * Checks and completes what a send carries, cheapest first: the message it
 * answers, the users it mentions, then the upload it claims, then the text
 * (or caption) through the content policy, which may ask a service.
 */
export async function prepareSendContent(
  deps: SendContentDeps,
  senderId: string,
  target: ResolvedTarget,
  input: SendMessageInput,
): Promise<SendContent> {
  if (input.replyTo !== undefined) await assertReplyTarget(deps.store, senderId, target, input.replyTo);
  if (input.mentions !== undefined) await assertMentions(deps.store, senderId, target, input.mentions);
  const attachment = input.kind === 'text' ? undefined : await claim(deps, senderId, target, input);
  const text = await deps.content.screenMessage({
    senderId,
    conversationId: target.conversationId,
    conversationType: target.type,
    kind: input.kind,
    text: input.kind === 'text' ? input.body.text : (input.body.caption ?? ''),
    clientMsgId: input.clientMsgId,
    ...(input.replyTo !== undefined && { replyTo: input.replyTo }),
    ...(input.mentions !== undefined && { mentions: input.mentions }),
    ...(attachment && { attachment: { id: attachment.id, name: attachment.name, mime: attachment.mime, size: attachment.size } }),
  });
  const body: MessageBody =
    input.kind === 'text' || !attachment
      ? { text }
      : { text, ...(input.body.caption !== undefined && { caption: text }), attachment };
  return {
    kind: input.kind,
    body,
    ...(input.replyTo !== undefined && { replyTo: input.replyTo }),
    ...(input.mentions !== undefined && { mentions: input.mentions }),
  };
}

/** A reply answers a content message of the same conversation that the sender can see. */
async function assertReplyTarget(store: MessageStore, senderId: string, target: ResolvedTarget, replyTo: string): Promise<void> {
  const [quoted] = await store.getMessagesByIds(senderId, [replyTo]);
  if (!quoted || quoted.conversationId !== target.conversationId || !isContentKind(quoted.kind)) {
    throw new ParleyError('NOT_FOUND', 'replyTo: message not found in this conversation');
  }
}

/** Mentioned users are members of the conversation; @all is for a group's owner and admins. */
async function assertMentions(store: GroupStore, senderId: string, target: ResolvedTarget, mentions: readonly string[]): Promise<void> {
  if (mentions.includes(MENTION_ALL)) {
    if (target.type !== 'group') throw new ParleyError('FORBIDDEN', `mentions: "${MENTION_ALL}" is for groups`);
    if (target.role !== 'owner' && target.role !== 'admin') {
      throw new ParleyError('FORBIDDEN', `mentions: only the owner and admins may mention "${MENTION_ALL}"`);
    }
    return;
  }
  const others = mentions.filter((id) => id !== senderId);
  let strangers: string[];
  if (target.type === 'direct') {
    strangers = others.filter((id) => !target.memberIds.includes(id));
  } else {
    // At most MAX_MENTIONS point reads, for the rare send that mentions someone.
    const groupId = target.groupId ?? '';
    const members = await Promise.all(others.map((id) => store.getGroupMember(groupId, id)));
    strangers = others.filter((_, i) => !members[i]);
  }
  if (strangers.length > 0) {
    throw new ParleyError('INVALID_ARGUMENT', `mentions: not members of this conversation: ${strangers.join(', ')}`);
  }
}

type AttachmentSend = Extract<SendMessageInput, { kind: 'image' | 'file' }>;

async function claim(deps: SendContentDeps, senderId: string, target: ResolvedTarget, input: AttachmentSend): Promise<Attachment> {
  if (!deps.attachments) throw new ParleyError('UNAVAILABLE', 'attachments are not configured');
  return deps.attachments.claim({
    userId: senderId,
    uploadId: input.body.attachmentId,
    conversationId: target.conversationId,
    clientMsgId: input.clientMsgId,
    kind: input.kind,
  });
}
