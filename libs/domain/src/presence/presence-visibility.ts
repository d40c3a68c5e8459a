import type { PeerRelation, SocialStore } from '../ports';

/**
 * Whether a relation lets a user see the other's presence: a block either way
 * hides it; otherwise a friendship or a shared conversation (direct or group)
 * shows it. Strangers see nothing, so online status cannot be probed by id.
 */
export function showsPresence(relation: PeerRelation): boolean {
  if (relation.blocking || relation.blockedBy) return false;
  return relation.friends || relation.direct || relation.sharedGroup;
}

/**
 * The ids among `userIds` whose presence `viewerId` may see: their own and
 * those showsPresence admits, each once, in the order asked. One store read.
 */
export async function visiblePresenceIds(store: SocialStore, viewerId: string, userIds: readonly string[]): Promise<string[]> {
  const asked = [...new Set(userIds)];
  const others = asked.filter((id) => id !== viewerId);
  const relations = others.length > 0 ? await store.listPeerRelations(viewerId, others) : [];
  const visible = new Set(relations.filter(showsPresence).map((r) => r.peerId));
  return asked.filter((id) => id === viewerId || visible.has(id));
}

/**
 * Among co-members of a group of `viewerId` (group:info), those whose
 * presence the viewer may not see. The shared group already admits them, so
 * only a block either way hides one: two small reads rather than
 * listPeerRelations over a whole group.
 */
export async function hiddenCoMembers(store: SocialStore, viewerId: string, memberIds: readonly string[]): Promise<Set<string>> {
  const [blocked, blockers] = await Promise.all([store.listBlockedIds(viewerId), store.listBlockersAmong(viewerId, memberIds)]);
  return new Set([...blocked, ...blockers]);
}
