import type { ConversationSummary, Group, User } from '@parley/protocol';
import { toUserView } from '../accounts/user-view';
import { toGroupView } from '../groups/group-view';
import type { GroupStore, MessageStore, UserStore } from '../ports';

export interface ConversationServiceDeps {
  store: MessageStore & UserStore & GroupStore;
}

/** The user's conversations as a list: cursors, unread counts, the peer or group, the last message. */
export class ConversationService {
  constructor(private readonly deps: ConversationServiceDeps) {}

  /** `conversation:list`: every conversation of the user, most recent activity first. */
  async list(userId: string): Promise<ConversationSummary[]> {
    const { store } = this.deps;
    const memberships = await store.listMemberConversations(userId);
    const peerIds = memberships.flatMap((m) => (m.peerId ? [m.peerId] : []));
    const groupIds = memberships.flatMap((m) => (m.groupId ? [m.groupId] : []));
    const [peers, groups, lastMessages] = await Promise.all([
      store.getUsers(peerIds),
      Promise.all(groupIds.map((id) => store.getGroup(id))),
      store.getLastMessages(memberships.filter((m) => m.lastSeq > 0).map((m) => m.conversationId)),
    ]);
    const peerById = new Map<string, User>(peers.map((p) => [p.id, toUserView(p)]));
    const groupById = new Map<string, Group>();
    for (const g of groups) if (g) groupById.set(g.id, toGroupView(g));
    const lastByConversation = new Map(lastMessages.map((m) => [m.conversationId, m]));

    return memberships
      .map((m): ConversationSummary => {
        const summary: ConversationSummary = {
          conversationId: m.conversationId,
          type: m.type,
          lastMessage: lastByConversation.get(m.conversationId) ?? null,
          lastSeq: m.lastSeq,
          readSeq: m.readSeq,
          unread: Math.max(0, m.lastSeq - m.readSeq),
        };
        if (m.peerReadSeq !== null) summary.peerReadSeq = m.peerReadSeq;
        const peer = m.peerId ? peerById.get(m.peerId) : undefined;
        if (peer) summary.peer = peer;
        const group = m.groupId ? groupById.get(m.groupId) : undefined;
        if (group) summary.group = group;
        return summary;
      })
      .sort((a, b) => (b.lastMessage?.createdAt ?? 0) - (a.lastMessage?.createdAt ?? 0));
  }
}
