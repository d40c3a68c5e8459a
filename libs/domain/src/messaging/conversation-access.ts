import { ParleyError, groupRoom, parseConversationId, userRoom, type RoomName } from '@parley/protocol';
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

/** The rooms whose sessions see a conversation's traffic. */
export function conversationRooms(conversation: Pick<MemberConversation, 'conversationId'>): RoomName[] {
  const ref = parseConversationId(conversation.conversationId);
  if (!ref) return [];
  return ref.type === 'group' ? [groupRoom(ref.groupId)] : ref.userIds.map(userRoom);
}
