import type { ConversationSummary, Group, User } from '@parley/protocol';
import { toUserView } from '../accounts/user-view';
import { toGroupView } from '../groups/group-view';
import type { ConversationDigest, GroupStore, MessageStore, UserStore } from '../ports';

export interface ConversationServiceDeps {
  store: MessageStore & UserStore & GroupStore;
}

const EMPTY_DIGEST = { lastMessage: null, unread: 0, mentioned: false } as const;

/** The user's conversations as a list: cursors, unread counts, the "@" marker, the peer or group, the last message. */
export class ConversationService {
  constructor(private readonly deps: ConversationServiceDeps) {}

  /**
   * `conversation:list`: every conversation of the user, pinned ones first
   * (the latest pin first), then the most recent activity first. Unread counts, last messages and mentions come from the store's
   * digests, which count content only (never change entries, the user's own,
   * hidden or recalled messages).
   */
  async list(userId: string): Promise<ConversationSummary[]> {
    const { store } = this.deps;
    const memberships = await store.listMemberConversations(userId);
    const peerIds = memberships.flatMap((m) => (m.peerId ? [m.peerId] : []));
    const groupIds = memberships.flatMap((m) => (m.groupId ? [m.groupId] : []));
    const active = memberships.filter((m) => m.lastSeq > 0);
    const [peers, groups, digests] = await Promise.all([
      store.getUsers(peerIds),
      Promise.all(groupIds.map((id) => store.getGroup(id))),
      store.getConversationDigests(userId, active.map((m) => ({ conversationId: m.conversationId, readSeq: m.readSeq }))),
    ]);
    const peerById = new Map<string, User>(peers.map((p) => [p.id, toUserView(p)]));
    const groupById = new Map<string, Group>();
    for (const g of groups) if (g) groupById.set(g.id, toGroupView(g));
    const digestOf = new Map<string, ConversationDigest>(digests.map((d) => [d.conversationId, d]));

    return memberships
      .map((m): ConversationSummary => {
        const digest = digestOf.get(m.conversationId) ?? EMPTY_DIGEST;
        const summary: ConversationSummary = {
          conversationId: m.conversationId,
          type: m.type,
          lastMessage: digest.lastMessage,
          lastSeq: m.lastSeq,
          readSeq: m.readSeq,
          unread: digest.unread,
          mentioned: digest.mentioned,
          notify: m.notify,
          mutedUntil: m.mutedUntil,
          pinnedAt: m.pinnedAt,
        };
        if (m.peerReadSeq !== null) summary.peerReadSeq = m.peerReadSeq;
        const peer = m.peerId ? peerById.get(m.peerId) : undefined;
        if (peer) summary.peer = peer;
        const group = m.groupId ? groupById.get(m.groupId) : undefined;
        if (group) summary.group = group;
        return summary;
      })
      .sort(byPinThenActivity);
  }
}

function byPinThenActivity(a: ConversationSummary, b: ConversationSummary): number {
  if (a.pinnedAt !== b.pinnedAt) return (b.pinnedAt ?? -Infinity) - (a.pinnedAt ?? -Infinity);
  return (b.lastMessage?.createdAt ?? 0) - (a.lastMessage?.createdAt ?? 0);
}
