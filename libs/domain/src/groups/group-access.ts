import { ParleyError, type GroupRole } from '@parley/protocol';
import type { GroupMemberRecord, GroupRecord, GroupStore } from '../ports';

export interface GroupMembership {
  group: GroupRecord;
  member: GroupMemberRecord;
}

const RANK: Record<GroupRole, number> = { member: 1, admin: 2, owner: 3 };

export async function loadGroup(store: GroupStore, groupId: string): Promise<GroupRecord> {
  const group = await store.getGroup(groupId);
  if (!group) throw new ParleyError('NOT_FOUND', 'group not found');
  return group;
}

/** The caller's membership, read from the store: NOT_FOUND for no such group, FORBIDDEN for a non-member. */
export async function requireGroupMember(store: GroupStore, groupId: string, userId: string): Promise<GroupMembership> {
  const [group, member] = await Promise.all([store.getGroup(groupId), store.getGroupMember(groupId, userId)]);
  if (!group) throw new ParleyError('NOT_FOUND', 'group not found');
  if (!member) throw new ParleyError('FORBIDDEN', 'not a member of this group');
  return { group, member };
}

/** FORBIDDEN unless the member holds at least `role`. */
export function requireRole(member: GroupMemberRecord, role: 'admin' | 'owner'): void {
  if (RANK[member.role] < RANK[role]) throw new ParleyError('FORBIDDEN', `only the group's ${role === 'owner' ? 'owner' : 'owner and admins'} may do this`);
}

/** FORBIDDEN unless the actor ranks strictly above the target (admins act on members, the owner on everyone). */
export function requireOutranks(actor: GroupMemberRecord, target: GroupMemberRecord): void {
  if (RANK[actor.role] <= RANK[target.role]) throw new ParleyError('FORBIDDEN', `cannot act on a group ${target.role}`);
}

/** A member target other than the actor: INVALID_ARGUMENT for oneself, NOT_FOUND for a non-member. */
export async function requireTarget(store: GroupStore, groupId: string, actorId: string, userId: string): Promise<GroupMemberRecord> {
  if (userId === actorId) throw new ParleyError('INVALID_ARGUMENT', 'userId: cannot target yourself');
  const target = await store.getGroupMember(groupId, userId);
  if (!target) throw new ParleyError('NOT_FOUND', 'not a member of this group');
  return target;
}

export const isAdmin = (member: Pick<GroupMemberRecord, 'role'>): boolean => RANK[member.role] >= RANK.admin;
