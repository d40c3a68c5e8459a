import type { DmPolicy, GroupInvitePolicy } from '@parley/protocol';

/** What the store keeps of a user; the password hash never leaves the domain. */
export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  bio: string | null;
  passwordHash: string;
  /** Who may message this user directly (default `friends`). */
  dmPolicy: DmPolicy;
  /** Which group invitations wait for this user's consent (default `friends`). */
  groupInvites: GroupInvitePolicy;
  createdAt: number;
}

export interface NewUser {
  id: string;
  username: string;
  displayName: string;
  passwordHash: string;
  createdAt: number;
}

export interface ProfilePatch {
  displayName?: string;
  avatarUrl?: string | null;
  bio?: string | null;
  dmPolicy?: DmPolicy;
  groupInvites?: GroupInvitePolicy;
}

/** Users: accounts, profiles and settings. */
export interface UserStore {
  /** StoreError `username-taken` when the username is taken, whatever its case. */
  createUser(user: NewUser): Promise<UserRecord>;
  getUser(id: string): Promise<UserRecord | null>;
  getUsers(ids: readonly string[]): Promise<UserRecord[]>;
  findUserByUsername(username: string): Promise<UserRecord | null>;
  searchUsers(query: string, limit: number, offset: number): Promise<UserRecord[]>;
  /** StoreError `user-not-found` for an unknown user. */
  updateProfile(id: string, patch: ProfilePatch): Promise<UserRecord>;
}
