import type { GroupRole } from '@parley/protocol';

export interface GroupRecord {
  id: string;
  name: string;
  ownerId: string;
  announcement: string | null;
  muteAll: boolean;
  isPublic: boolean;
  joinApproval: boolean;
  memberCount: number;
  createdAt: number;
}

export interface GroupPatch {
  name?: string;
  announcement?: string | null;
  muteAll?: boolean;
  isPublic?: boolean;
  joinApproval?: boolean;
}

export interface NewGroup {
  id: string;
  name: string;
  ownerId: string;
  /** Members besides the owner; the owner is added with role `owner`. */
  memberIds: string[];
  createdAt: number;
}

export interface GroupMemberRecord {
  groupId: string;
  userId: string;
  role: GroupRole;
  joinedAt: number;
  /** The member may not post before this time; null when not muted. */
  mutedUntil: number | null;
}

/** What posting to a group needs to authorize. */
export interface GroupPostContext {
  muteAll: boolean;
  /** The poster's membership; null when not a member. */
  member: GroupMemberRecord | null;
}

/** Groups, their settings and members (with each member's group-conversation membership). */
export interface GroupStore {
  /** Creates the group with its members and its conversation. StoreError `unknown-group-member` for an unknown user. */
  createGroup(group: NewGroup): Promise<GroupRecord>;
  getGroup(id: string): Promise<GroupRecord | null>;
  getGroupMember(groupId: string, userId: string): Promise<GroupMemberRecord | null>;
  /** Mute-all and `userId`'s membership in one read, for a post; null when the group does not exist. */
  getGroupPostContext(groupId: string, userId: string): Promise<GroupPostContext | null>;
  listGroupMembers(groupId: string): Promise<GroupMemberRecord[]>;
  listUserGroupIds(userId: string): Promise<string[]>;
  /** The user's groups, by name. */
  listUserGroups(userId: string): Promise<GroupRecord[]>;
  /**
   * Public groups whose name contains `query` (case-insensitive; `%` and `_`
   * match themselves), by name then id. Private groups never appear.
   */
  searchPublicGroups(query: string, limit: number, offset: number): Promise<GroupRecord[]>;
  /** StoreError `group-not-found` for an unknown group; returns the group after the change. */
  updateGroup(groupId: string, patch: GroupPatch): Promise<GroupRecord>;
  /** Deletes the group with its members, requests, conversation and messages; false if it did not exist. */
  deleteGroup(groupId: string): Promise<boolean>;
  /**
   * Adds users as `member`s with their group-conversation cursors at the
   * current last seq (nothing unread; older history stays readable). Existing
   * members are skipped; returns the ids actually added. Atomic, and refuses
   * with StoreError `group-full` when the group would exceed `maxMembers`;
   * `group-not-found` / `user-not-found` for an unknown group or user.
   */
  addGroupMembers(groupId: string, userIds: readonly string[], joinedAt: number, maxMembers: number): Promise<string[]>;
  /** Removes a member and their conversation membership; false if they were not a member. */
  removeGroupMember(groupId: string, userId: string): Promise<boolean>;
  /** StoreError `not-a-member-or-owner` when not a member, or the owner. */
  setGroupMemberRole(groupId: string, userId: string, role: Exclude<GroupRole, 'owner'>): Promise<void>;
  /** Atomically: the owner becomes an admin, `toUserId` the owner. StoreError `not-a-member` when either is not a member. */
  transferGroupOwnership(groupId: string, fromUserId: string, toUserId: string): Promise<void>;
  /** null lifts the mute. StoreError `not-a-member` when not a member. */
  setGroupMemberMute(groupId: string, userId: string, mutedUntil: number | null): Promise<void>;
}
