import { groupRoom, userRoom, type PresenceInfo, type RoomName } from '@parley/protocol';
import type { Clock, GroupStore, Notifier, Presence, SocialStore } from '../ports';
import { visiblePresenceIds } from './presence-visibility';

export interface SessionServiceDeps {
  nodeId: string;
  store: GroupStore & SocialStore;
  presence: Presence;
  notifier: Notifier;
  clock: Clock;
}

/** A session's life on this node: which rooms it joins, and presence transitions. */
export class SessionService {
  constructor(private readonly deps: SessionServiceDeps) {}

  /** The user's own room (all their sessions) and one room per group they belong to. */
  async roomsFor(userId: string): Promise<RoomName[]> {
    const groupIds = await this.deps.store.listUserGroupIds(userId);
    return [userRoom(userId), ...groupIds.map(groupRoom)];
  }

  /** Those of `userIds` who are members of the group now (a relayed join is checked before it is applied). */
  async confirmMembers(groupId: string, userIds: readonly string[]): Promise<string[]> {
    const members = await Promise.all(userIds.map((userId) => this.deps.store.getGroupMember(groupId, userId)));
    return userIds.filter((_, i) => members[i] !== null);
  }

  async connected(userId: string, sessionId: string): Promise<void> {
    const change = await this.deps.presence.addSession(userId, sessionId, this.deps.nodeId);
    if (change.firstSession) await this.announce(userId, true);
  }

  async disconnected(userId: string, sessionId: string): Promise<void> {
    const change = await this.deps.presence.removeSession(userId, sessionId, this.deps.nodeId);
    if (change.lastSession) await this.announce(userId, false);
  }

  /**
   * `presence:visibility`: whether this session's page is in front of its
   * user (all sessions hidden long enough: pushes). Only ever the caller's
   * own session; disconnected() forgets it.
   */
  setVisibility(userId: string, sessionId: string, visible: boolean): Promise<void> {
    return this.deps.presence.setVisibility(userId, sessionId, visible, this.deps.clock.now());
  }

  /** Presence of those of `userIds` the viewer may see (presence-visibility); the others are left out. */
  async query(viewerId: string, userIds: readonly string[]): Promise<PresenceInfo[]> {
    const visible = await visiblePresenceIds(this.deps.store, viewerId, userIds);
    return visible.length > 0 ? this.deps.presence.query(visible) : [];
  }

  /** Tells the user's friends that they came online or went offline. */
  async announce(userId: string, online: boolean): Promise<void> {
    const friendIds = await this.deps.store.listFriendIds(userId);
    const rooms = friendIds.map(userRoom);
    if (rooms.length === 0) return;
    this.deps.notifier.publish(rooms, 'presence:update', {
      userId,
      online,
      lastSeenAt: online ? null : this.deps.clock.now(),
    });
  }
}
