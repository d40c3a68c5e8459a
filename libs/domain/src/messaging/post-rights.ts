import {
  ParleyError,
  directConversationId,
  groupConversationId,
  type GroupRole,
  type NewMessageTarget,
} from '@parley/protocol';
import type { Clock, GroupPostContext, GroupStore, MemberConversation, SocialStore } from '../ports';
import { assertMayMessage } from '../social/relation-rules';

/** Where a send goes, once the sender was found allowed to post there. */
export interface ResolvedTarget {
  type: 'direct' | 'group';
  conversationId: string;
  /** Direct chats: both users (the conversation is created with them). */
  memberIds: string[];
  /** Groups: the sender's role (who may mention @all). */
  role?: GroupRole;
  groupId?: string;
}

type PostStore = SocialStore & GroupStore;

/** May `senderId` post to `to` now? Direct: the DM rules; group: a member, not muted, not silenced by mute-all. */
export async function resolveSendTarget(store: PostStore, clock: Clock, senderId: string, to: NewMessageTarget): Promise<ResolvedTarget> {
  if (to.type === 'user') {
    if (to.id === senderId) throw new ParleyError('INVALID_ARGUMENT', 'to.id: cannot message yourself');
    await assertMayMessage(store, senderId, to.id);
    return { type: 'direct', conversationId: directConversationId(senderId, to.id), memberIds: [senderId, to.id] };
  }
  const role = assertGroupPoster(await store.getGroupPostContext(to.id, senderId), clock);
  return { type: 'group', conversationId: groupConversationId(to.id), memberIds: [], role, groupId: to.id };
}

/** The same rules for a conversation the user is in already (an edit must be postable as a send would be). */
export async function assertMayPost(store: PostStore, clock: Clock, userId: string, membership: MemberConversation): Promise<void> {
  if (membership.peerId) await assertMayMessage(store, userId, membership.peerId);
  else if (membership.groupId) assertGroupPoster(await store.getGroupPostContext(membership.groupId, userId), clock);
}

export function conversationIdOf(senderId: string, to: NewMessageTarget): string {
  return to.type === 'user' ? directConversationId(senderId, to.id) : groupConversationId(to.id);
}

function assertGroupPoster(context: GroupPostContext | null, clock: Clock): GroupRole {
  if (!context) throw new ParleyError('NOT_FOUND', 'group not found');
  const { member, muteAll } = context;
  if (!member) throw new ParleyError('FORBIDDEN', 'not a member of this group');
  if (member.mutedUntil !== null && member.mutedUntil > clock.now()) {
    throw new ParleyError('FORBIDDEN', `you are muted in this group until ${new Date(member.mutedUntil).toISOString()}`);
  }
  if (member.role === 'member' && muteAll) {
    throw new ParleyError('FORBIDDEN', 'only the owner and admins may post in this group now');
  }
  return member.role;
}
