import { ParleyError } from '@parley/protocol';
import type { SocialStore, UserStore } from '../ports';

/** How each invitee joins: added at once, or asked for consent first. */
export interface SortedInvitees {
  direct: string[];
  ask: string[];
}

/**
 * Who of `userIds` `inviterId` may add at once (a friend whose setting is
 * `groupInvites: 'friends'`) and who must be asked (everyone else). Users
 * across a block, either way, are in neither list: they are left out as
 * if they had ignored the invitation, so the inviter learns nothing of the
 * block. NOT_FOUND when one of them does not exist or was deleted. Two store reads.
 */
export async function sortInvitees(store: UserStore & SocialStore, inviterId: string, userIds: readonly string[]): Promise<SortedInvitees> {
  if (userIds.length === 0) return { direct: [], ask: [] };
  const [users, relations] = await Promise.all([store.getUsers(userIds), store.listPeerRelations(inviterId, userIds)]);
  // A deleted account keeps its row (its messages name it) but is nobody anyone can invite.
  if (users.length !== userIds.length || users.some((u) => u.deletedAt !== null)) throw new ParleyError('NOT_FOUND', 'user not found');
  const policy = new Map(users.map((u) => [u.id, u.groupInvites]));
  const relation = new Map(relations.map((r) => [r.peerId, r]));
  const sorted: SortedInvitees = { direct: [], ask: [] };
  for (const userId of userIds) {
    const r = relation.get(userId);
    if (!r || r.blocking || r.blockedBy) continue;
    (r.friends && policy.get(userId) === 'friends' ? sorted.direct : sorted.ask).push(userId);
  }
  return sorted;
}
