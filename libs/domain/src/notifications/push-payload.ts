import { createHash } from 'node:crypto';
import { parseConversationId, type Message, type PushPayload } from '@parley/protocol';
import type { PushRequest, PushTarget } from '../ports';

/** Longest preview text in a push. */
export const PUSH_TEXT_LIMIT = 200;
/** How long a push service keeps a push for an unreachable device: a day. */
export const PUSH_TTL_SEC = 86_400;

/** Names a preview shows: senders' display names and groups' names, by id. */
export interface PreviewNames {
  users: ReadonlyMap<string, string>;
  groups: ReadonlyMap<string, string>;
}

/** RFC 8030 Topic: 32 base64url characters naming the chat, so a newer push replaces an undelivered one. */
export function pushTopic(conversationId: string): string {
  return createHash('sha256').update(conversationId).digest('base64url').slice(0, 32);
}

function cut(text: string): string {
  const chars = [...text];
  return chars.length <= PUSH_TEXT_LIMIT ? text : `${chars.slice(0, PUSH_TEXT_LIMIT - 1).join('')}…`;
}

/** The message as one line: its text, or "[image]" / "[file]" with the caption. */
function messageLine(message: Message): string {
  if (message.kind !== 'image' && message.kind !== 'file') return message.body.text;
  const caption = message.body.caption ?? '';
  return caption ? `[${message.kind}] ${caption}` : `[${message.kind}]`;
}

/** What the device shows: sender (direct) or group name as the title; the text, prefixed with the sender in a group. */
function preview(message: Message, names: PreviewNames): Pick<PushPayload, 'title' | 'text'> {
  const ref = parseConversationId(message.conversationId);
  const sender = names.users.get(message.senderId) ?? '';
  const line = messageLine(message);
  if (ref?.type === 'group') {
    return { title: names.groups.get(ref.groupId) ?? '', text: cut(sender ? `${sender}: ${line}` : line) };
  }
  return { title: sender, text: cut(line) };
}

/** One push of one message to one subscription; the preview only when the user allows previews. */
export function buildPushRequest(target: PushTarget, message: Message, mention: boolean, names: PreviewNames): PushRequest {
  const payload: PushPayload = {
    type: 'message',
    conversationId: message.conversationId,
    messageId: message.id,
    seq: message.seq,
    mention,
    url: `/?c=${encodeURIComponent(message.conversationId)}`,
    ...(target.previews ? preview(message, names) : {}),
  };
  const direct = parseConversationId(message.conversationId)?.type === 'direct';
  return {
    destination: { endpoint: target.endpoint, p256dh: target.p256dh, auth: target.auth },
    payload: JSON.stringify(payload),
    ttlSec: PUSH_TTL_SEC,
    urgency: direct || mention ? 'high' : 'normal',
    topic: pushTopic(message.conversationId),
  };
}
