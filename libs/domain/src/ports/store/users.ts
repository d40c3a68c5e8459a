import type { DmPolicy, Dnd, GroupInvitePolicy } from '@parley/protocol';
import type { GroupInvitationRecord } from './invitations';

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
  /** Pushes show the sender and the text (default false). */
  previews: boolean;
  /** Do-not-disturb hours (default null: none). */
  dnd: Dnd | null;
  createdAt: number;
  /**
   * When the account was deleted (epoch ms), else null. A deleted user's row
   * stays (their messages keep a sender) as "Deleted user" under a freed
   * username; they are never found by username or search, and cannot sign in.
   */
  deletedAt: number | null;
  /** When an operator suspended the account (epoch ms), else null: it cannot sign in. */
  suspendedAt: number | null;
  /** The admin role kept in the store (besides PARLEY_ADMIN_USERS): may use the admin API. */
  admin: boolean;
}

/** What deleting an account changed besides the user's own row (for the domain to tell others). */
export interface DeletedAccount {
  /** Sessions that were active and are now revoked (`account-deleted`). */
  sessionIds: string[];
  /** Users who were friends with the deleted user. */
  formerFriendIds: string[];
  /**
   * Each group the user was in: `left`, `transferred` (the user owned it; the
   * longest-standing admin, else member, owns it now) or `dissolved` (nobody was left).
   */
  groups: { groupId: string; outcome: 'left' | 'transferred' | 'dissolved'; newOwnerId?: string }[];
  /** The pending group invitations to and from the user, now `cancelled` (a dissolved group's go with it). */
  cancelledInvitations: GroupInvitationRecord[];
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
  previews?: boolean;
  /** null turns do-not-disturb off. */
  dnd?: Dnd | null;
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
  /**
   * In one transaction: marks the user deleted, frees their username (it
   * becomes `deleted-<id>`), blanks the password hash, renames them
   * "Deleted user" with no avatar or bio, removes their friendships, friend
   * requests, blocks, pending join requests and invitations, takes them out of
   * every group (see DeletedAccount.groups) and revokes their sessions.
   * StoreError `user-not-found` for an unknown or already deleted user.
   */
  deleteUser(id: string, at: number): Promise<DeletedAccount>;
}
