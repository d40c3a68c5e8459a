import { ParleyError, groupRoom, isContentKind, parseConversationId, userRoom, type Message, type RoomName } from '@parley/protocol';
import type { MemberConversation, MessageStore } from '../ports';

/** Loads the caller's membership of a conversation; strangers get NOT_FOUND so ids leak nothing. */
export async function requireMembership(
  store: MessageStore,
  userId: string,
  conversationId: string,
): Promise<MemberConversation> {
  if (!parseConversationId(conversationId)) {
    throw new ParleyError('INVALID_ARGUMENT', 'conversationId: malformed');
  }
  const membership = await store.getMemberConversation(userId, conversationId);
  if (!membership) throw new ParleyError('NOT_FOUND', 'conversation not found');
  return membership;
}

/**
 * A content message the user may act on: in a conversation they belong to,
 * not hidden from them. Anything else (missing, a change entry, another
 * conversation's, deleted for them) is the same NOT_FOUND, so ids leak nothing.
 */
export async function requireVisibleMessage(
  store: MessageStore,
  userId: string,
  messageId: string,
): Promise<{ message: Message; membership: MemberConversation }> {
  const [message] = await store.getMessagesByIds(userId, [messageId]);
  const membership = message && isContentKind(message.kind) ? await store.getMemberConversation(userId, message.conversationId) : null;
  if (!message || !membership) throw new ParleyError('NOT_FOUND', 'message not found');
  return { message, membership };
}

/** The rooms whose sessions see a conversation's traffic. */
export function conversationRooms(conversation: Pick<MemberConversation, 'conversationId'>): RoomName[] {
  const ref = parseConversationId(conversation.conversationId);
  if (!ref) return [];
  return ref.type === 'group' ? [groupRoom(ref.groupId)] : ref.userIds.map(userRoom);
}
