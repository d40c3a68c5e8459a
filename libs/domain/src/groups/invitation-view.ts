import type { GroupInvitation } from '@parley/protocol';
import { toUserView } from '../accounts/user-view';
import type { GroupInvitationRecord, GroupRecord, GroupStore, UserStore } from '../ports';
import { toGroupView } from './group-view';

/**
 * Wire views of invitations, with their group and inviter (one user lookup,
 * one read per distinct group; `known` groups are not read again). An
 * invitation whose group or inviter is gone is left out.
 */
export async function toInvitationViews(
  store: Pick<UserStore, 'getUsers'> & Pick<GroupStore, 'getGroup'>,
  records: readonly GroupInvitationRecord[],
  known: readonly GroupRecord[] = [],
): Promise<GroupInvitation[]> {
  const groups = new Map(known.map((g) => [g.id, g]));
  const missing = [...new Set(records.map((r) => r.groupId))].filter((id) => !groups.has(id));
  const [inviters, loaded] = await Promise.all([
    store.getUsers([...new Set(records.map((r) => r.inviterId))]),
    Promise.all(missing.map((id) => store.getGroup(id))),
  ]);
  for (const group of loaded) if (group) groups.set(group.id, group);
  const users = new Map(inviters.map((u) => [u.id, toUserView(u)]));
  return records.flatMap((r) => {
    const group = groups.get(r.groupId);
    const inviter = users.get(r.inviterId);
    if (!group || !inviter) return [];
    return [{ id: r.id, group: toGroupView(group), inviter, inviteeId: r.inviteeId, status: r.status, createdAt: r.createdAt }];
  });
}
