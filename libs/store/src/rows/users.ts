import type { ProfilePatch, UserRecord } from '@parley/domain';
import type { DmPolicy, GroupInvitePolicy } from '@parley/protocol';

export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  avatar_url: string | null;
  bio: string | null;
  password_hash: string;
  dm_policy: string;
  group_invites: string;
  created_at: number;
  deleted_at: number | null;
  suspended_at: number | null;
  /** 0 or 1 (SQLite INTEGER, MySQL TINYINT(1)). */
  is_admin: number;
}

/**
 * A new user's row. `username_key` is usernameKey(username) (NFKC + case
 * fold), unique and compared byte for byte: lookups, search and uniqueness go
 * through it, so no collation decides which names are the same.
 */
export const INSERT_USER_SQL =
  'INSERT INTO users (id, username, username_key, display_name, avatar_url, bio, password_hash, created_at) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?)';

export const USER_COLUMNS = 'id, username, display_name, avatar_url, bio, password_hash, dm_policy, group_invites, created_at, deleted_at, suspended_at, is_admin';

export function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    avatarUrl: row.avatar_url,
    bio: row.bio,
    passwordHash: row.password_hash,
    dmPolicy: row.dm_policy as DmPolicy,
    groupInvites: row.group_invites as GroupInvitePolicy,
    createdAt: Number(row.created_at),
    deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
    suspendedAt: row.suspended_at === null ? null : Number(row.suspended_at),
    admin: Number(row.is_admin) === 1,
  };
}

/** A new user as createUser stores it (both engines insert these defaults). */
export function newUserRecord(
  user: Omit<UserRecord, 'avatarUrl' | 'bio' | 'dmPolicy' | 'groupInvites' | 'deletedAt' | 'suspendedAt' | 'admin'>,
): UserRecord {
  return { ...user, avatarUrl: null, bio: null, dmPolicy: 'friends', groupInvites: 'friends', deletedAt: null, suspendedAt: null, admin: false };
}

/** SET clause (empty when nothing changes) and its values for a profile patch. */
export function profilePatchSql(patch: ProfilePatch): { sets: string; params: (string | null)[] } {
  const columns: [keyof ProfilePatch, string][] = [
    ['displayName', 'display_name'],
    ['avatarUrl', 'avatar_url'],
    ['bio', 'bio'],
    ['dmPolicy', 'dm_policy'],
    ['groupInvites', 'group_invites'],
  ];
  const present = columns.filter(([key]) => patch[key] !== undefined);
  return {
    sets: present.map(([, column]) => `${column} = ?`).join(', '),
    params: present.map(([key]) => patch[key] ?? null),
  };
}
