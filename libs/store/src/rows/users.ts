import type { ProfilePatch, UserRecord } from '@parley/domain';
import type { DmPolicy, Dnd, GroupInvitePolicy } from '@parley/protocol';

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
  /** 0 or 1. */
  push_previews: number;
  /** The Dnd as JSON, or null when do-not-disturb is off. */
  dnd_json: string | null;
}

/**
 * A new user's row. `username_key` is usernameKey(username) (NFKC + case
 * fold), unique and compared byte for byte: lookups, search and uniqueness go
 * through it, so no collation decides which names are the same.
 */
export const INSERT_USER_SQL =
  'INSERT INTO users (id, username, username_key, display_name, avatar_url, bio, password_hash, created_at) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?)';

export const USER_COLUMNS = 'id, username, display_name, avatar_url, bio, password_hash, dm_policy, group_invites, created_at, deleted_at, suspended_at, is_admin, push_previews, dnd_json';

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
    previews: Number(row.push_previews) === 1,
    dnd: parseDnd(row.dnd_json),
  };
}

/**
 * The stored DND hours. Written only from a dndSchema-checked value; a row
 * that is not such JSON (edited by hand) reads as "off" rather than failing
 * every read of the user.
 */
export function parseDnd(json: string | null): Dnd | null {
  if (json === null) return null;
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== 'object' || value === null) return null;
    const { start, end, timeZone } = value as Record<string, unknown>;
    if (typeof start !== 'string' || typeof end !== 'string' || typeof timeZone !== 'string') return null;
    return { start, end, timeZone };
  } catch {
    return null;
  }
}

/** A new user as createUser stores it (both engines insert these defaults). */
export function newUserRecord(
  user: Omit<UserRecord, 'avatarUrl' | 'bio' | 'dmPolicy' | 'groupInvites' | 'previews' | 'dnd' | 'deletedAt' | 'suspendedAt' | 'admin'>,
): UserRecord {
  return {
    ...user,
    avatarUrl: null,
    bio: null,
    dmPolicy: 'friends',
    groupInvites: 'friends',
    previews: false,
    dnd: null,
    deletedAt: null,
    suspendedAt: null,
    admin: false,
  };
}

/** SET clause (empty when nothing changes) and its values for a profile patch. */
export function profilePatchSql(patch: ProfilePatch): { sets: string; params: (string | number | null)[] } {
  const columns: [string, string | number | null | undefined][] = [
    ['display_name', patch.displayName],
    ['avatar_url', patch.avatarUrl],
    ['bio', patch.bio],
    ['dm_policy', patch.dmPolicy],
    ['group_invites', patch.groupInvites],
    ['push_previews', patch.previews === undefined ? undefined : Number(patch.previews)],
    ['dnd_json', patch.dnd === undefined ? undefined : patch.dnd && JSON.stringify({ start: patch.dnd.start, end: patch.dnd.end, timeZone: patch.dnd.timeZone })],
  ];
  const present = columns.filter((entry): entry is [string, string | number | null] => entry[1] !== undefined);
  return {
    sets: present.map(([column]) => `${column} = ?`).join(', '),
    params: present.map(([, value]) => value),
  };
}
