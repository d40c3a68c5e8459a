import type { ConversationSummary, FriendRequest, Group, GroupInvitation, GroupUpdateEvent, Message, User } from '@parley/protocol';
import type { Conversation, Outgoing } from './types';

/** Small builders for the reducer specs: only the fields a test cares about are given. */

export const ME = user('me');

export function user(id: string): User {
  return { id, username: id, displayName: id.toUpperCase() };
}

export function message(seq: number, fields: Partial<Message> = {}): Message {
  return {
    id: `m${seq}`,
    conversationId: 'd:alice',
    seq,
    senderId: 'alice',
    kind: 'text',
    body: { text: `text ${seq}` },
    clientMsgId: `c${seq}`,
    createdAt: 1_000 * seq,
    ...fields,
  };
}

export function conversation(fields: Partial<Conversation> = {}): Conversation {
  return { id: 'd:alice', type: 'direct', peer: user('alice'), activityAt: 0, unread: 0, readSeq: 0, mentioned: false, notify: 'all', mutedUntil: null, pinnedAt: null, ...fields };
}

export function group(id: string, fields: Partial<Group> = {}): Group {
  return { id, name: `Group ${id}`, ownerId: 'alice', muteAll: false, isPublic: false, joinApproval: false, memberCount: 2, createdAt: 500, ...fields };
}

export function groupEvent(change: GroupUpdateEvent['change'], fields: Partial<GroupUpdateEvent> = {}): GroupUpdateEvent {
  return { group: group('g1'), change, actorId: 'alice', ...fields };
}

export function summary(fields: Partial<ConversationSummary> = {}): ConversationSummary {
  return { conversationId: 'd:alice', type: 'direct', peer: user('alice'), lastMessage: null, lastSeq: 0, readSeq: 0, unread: 0, mentioned: false, notify: 'all', mutedUntil: null, pinnedAt: null, ...fields };
}

export function outgoing(clientMsgId: string, fields: Partial<Outgoing> = {}): Outgoing {
  return { clientMsgId, conversationId: 'd:alice', to: { type: 'user', id: 'alice' }, text: 'hi', createdAt: 10, status: 'sending', ...fields };
}

export function friendRequest(id: string, status: FriendRequest['status'], fields: Partial<FriendRequest> = {}): FriendRequest {
  return { id, fromUserId: 'alice', toUserId: 'me', fromUser: user('alice'), toUser: ME, status, createdAt: 1, ...fields };
}

export function invitation(id: string, fields: Partial<GroupInvitation> = {}): GroupInvitation {
  return { id, group: group('g1'), inviter: user('alice'), inviteeId: ME.id, status: 'pending', createdAt: 1, ...fields };
}
