import type { GroupMemberRecord, GroupPatch, GroupPostContext, GroupRecord, NewGroup } from '@parley/domain';
import type { GroupRole } from '@parley/protocol';

export interface GroupRow {
  id: string;
  name: string;
  owner_id: string;
  announcement: string | null;
  mute_all: number;
  is_public: number;
  join_approval: number;
  member_count: number;
  created_at: number;
}

export function toGroup(row: GroupRow): GroupRecord {
  return {
    id: row.id,
    name: row.name,
    ownerId: row.owner_id,
    announcement: row.announcement,
    muteAll: Boolean(row.mute_all),
    isPublic: Boolean(row.is_public),
    joinApproval: Boolean(row.join_approval),
    memberCount: Number(row.member_count),
    createdAt: Number(row.created_at),
  };
}

/** A new group as createGroup stores it (both engines insert these defaults), with its member count. */
export function newGroupRecord(group: NewGroup, memberCount: number): GroupRecord {
  return {
    id: group.id,
    name: group.name,
    ownerId: group.ownerId,
    announcement: null,
    muteAll: false,
    isPublic: false,
    joinApproval: false,
    memberCount,
    createdAt: group.createdAt,
  };
}

/** Group columns (alias `g`) without the member count, which groupSelect adds. */
export const GROUP_COLUMNS_G = 'g.id, g.name, g.owner_id, g.announcement, g.mute_all, g.is_public, g.join_approval, g.created_at';

/** Groups (alias `g`) with their member count; `groups` is the dialect's quoting of the reserved table name. */
export const groupSelect = (groups: string): string => `SELECT ${GROUP_COLUMNS_G},
  (SELECT COUNT(*) FROM group_members gm WHERE gm.group_id = g.id) AS member_count
  FROM ${groups} g`;

/** SET clause (empty when nothing changes) and its values for a group patch. */
export function groupPatchSql(patch: GroupPatch): { sets: string; params: (string | number | null)[] } {
  const columns: [keyof GroupPatch, string][] = [
    ['name', 'name'],
    ['announcement', 'announcement'],
    ['muteAll', 'mute_all'],
    ['isPublic', 'is_public'],
    ['joinApproval', 'join_approval'],
  ];
  const present = columns.filter(([key]) => patch[key] !== undefined);
  return {
    sets: present.map(([, column]) => `${column} = ?`).join(', '),
    params: present.map(([key]) => {
      const value = patch[key];
      return typeof value === 'boolean' ? Number(value) : (value ?? null);
    }),
  };
}

export interface GroupMemberRow {
  group_id: string;
  user_id: string;
  role: string;
  joined_at: number;
  muted_until: number | null;
}

export const GROUP_MEMBER_COLUMNS = 'group_id, user_id, role, joined_at, muted_until';

export function toGroupMember(row: GroupMemberRow): GroupMemberRecord {
  return {
    groupId: row.group_id,
    userId: row.user_id,
    role: row.role as GroupRole,
    joinedAt: Number(row.joined_at),
    mutedUntil: row.muted_until === null ? null : Number(row.muted_until),
  };
}

/**
 * What posting to a group needs, in one round trip: mute-all and the
 * poster's membership (columns null when not a member). What follows
 * SELECT; bind: user id, group id. No row: no such group.
 */
export const GROUP_POST_CONTEXT_BODY = `g.mute_all, gm.group_id, gm.user_id, gm.role, gm.joined_at, gm.muted_until
  FROM \`groups\` g LEFT JOIN group_members gm ON gm.group_id = g.id AND gm.user_id = ?
  WHERE g.id = ?`;

export const GROUP_POST_CONTEXT_SELECT = `SELECT ${GROUP_POST_CONTEXT_BODY}`;

/** The member columns are all null when the poster is not a member. */
export type GroupPostContextRow = { mute_all: number } & (GroupMemberRow | { [K in keyof GroupMemberRow]: null });

export function toGroupPostContext(row: GroupPostContextRow): GroupPostContext {
  const muteAll = Boolean(Number(row.mute_all));
  return row.user_id === null ? { muteAll, member: null } : { muteAll, member: toGroupMember(row) };
}
