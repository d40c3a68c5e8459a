import {
  ParleyError,
  groupConversationId,
  groupRoom,
  userRoom,
  type GroupJoinRequest,
  type GroupUpdateEvent,
  type RoomName,
  type SystemInfo,
} from '@parley/protocol';
import { toUserView } from '../accounts/user-view';
import type {
  Clock,
  GroupJoinRequestRecord,
  GroupRecord,
  GroupStore,
  IdGenerator,
  InvitationStore,
  MessageStore,
  Notifier,
  UserStore,
} from '../ports';
import { isAdmin } from './group-access';
import { toGroupView } from './group-view';
import { toInvitationViews } from './invitation-view';

export interface GroupEffectsDeps {
  store: UserStore & GroupStore & MessageStore & InvitationStore;
  notifier: Notifier;
  ids: IdGenerator;
  clock: Clock;
}

/**
 * What follows a committed group change: room membership on every node,
 * `group:update` / `group:request` pushes, and system messages that offline
 * members find on sync.
 */
export class GroupEffects {
  constructor(private readonly deps: GroupEffectsDeps) {}

  /**
   * New members join the room first. The join's own update and system
   * message also go to the new members' user rooms: another node may not
   * have announced its interest in the group room yet when they are relayed
   * (a session in both rooms still gets each event once).
   */
  async joined(group: GroupRecord, actorId: string, userIds: readonly string[]): Promise<void> {
    const room = groupRoom(group.id);
    const newcomers = userIds.map(userRoom);
    this.deps.notifier.joinRoom(userIds, room);
    this.update(group, { change: 'joined', actorId, userIds: [...userIds] }, newcomers);
    const names = await this.names([actorId, ...userIds]);
    const added = userIds.map((id) => names.get(id)).join(', ');
    const self = userIds.length === 1 && userIds[0] === actorId;
    const text = self ? `${added} joined` : `${names.get(actorId)} added ${added}`;
    await this.systemMessage(group.id, { event: 'joined', actorId, userIds: [...userIds] }, text, newcomers);
  }

  /**
   * The removed user is told on their own room too, then leaves the group
   * room everywhere; the caller's ack waits for that (a removal barrier).
   * Invitations they made into the group are withdrawn, each invitee told.
   */
  async removed(group: GroupRecord, actorId: string, userId: string, change: 'left' | 'kicked'): Promise<void> {
    this.update(group, { change, actorId, userIds: [userId] }, [userRoom(userId)]);
    await this.deps.notifier.leaveRoom([userId], groupRoom(group.id));
    const withdrawn = await this.deps.store.withdrawGroupInvitationsBy(group.id, userId, this.deps.clock.now());
    for (const invitation of await toInvitationViews(this.deps.store, withdrawn, [group])) {
      this.deps.notifier.publish([userRoom(invitation.inviteeId)], 'group:invitation', { invitation });
    }
    const names = await this.names([actorId, userId]);
    const text = change === 'left' ? `${names.get(userId)} left` : `${names.get(actorId)} removed ${names.get(userId)}`;
    await this.systemMessage(group.id, { event: change, actorId, userIds: [userId] }, text);
  }

  async renamed(groupId: string, actorId: string, name: string): Promise<void> {
    const names = await this.names([actorId]);
    await this.systemMessage(groupId, { event: 'renamed', actorId, name }, `${names.get(actorId)} renamed the group to ${name}`);
  }

  /** Pushes `group:update` to the group room (and any extra rooms, e.g. a removed member's). */
  update(group: GroupRecord, event: Omit<GroupUpdateEvent, 'group'>, extraRooms: RoomName[] = []): void {
    this.deps.notifier.publish([groupRoom(group.id), ...extraRooms], 'group:update', { group: toGroupView(group), ...event });
  }

  /** Pushes a join request to the group's owner and admins and to the user it concerns. */
  async requestChanged(record: GroupJoinRequestRecord): Promise<GroupJoinRequest> {
    const { store } = this.deps;
    const request = await this.requestView(record);
    const members = await store.listGroupMembers(record.groupId);
    const rooms = new Set([userRoom(record.userId), ...members.filter(isAdmin).map((m) => userRoom(m.userId))]);
    this.deps.notifier.publish([...rooms], 'group:request', { request });
    return request;
  }

  /** One request's view; NOT_FOUND when its user is gone (requestViews leaves such requests out). */
  async requestView(record: GroupJoinRequestRecord): Promise<GroupJoinRequest> {
    const [view] = await this.requestViews([record]);
    if (!view) throw new ParleyError('NOT_FOUND', 'user not found');
    return view;
  }

  async requestViews(records: readonly GroupJoinRequestRecord[]): Promise<GroupJoinRequest[]> {
    const users = new Map((await this.deps.store.getUsers(records.map((r) => r.userId))).map((u) => [u.id, toUserView(u)]));
    return records.flatMap((r) => {
      const user = users.get(r.userId);
      if (!user) return [];
      const view: GroupJoinRequest = { id: r.id, groupId: r.groupId, user, status: r.status, createdAt: r.createdAt };
      if (r.inviterId) view.inviterId = r.inviterId;
      return [view];
    });
  }

  /**
   * A `system` message in the group conversation: sender = the acting user,
   * clientMsgId `sys:<ulid>` (unique, never chosen by a client).
   */
  private async systemMessage(groupId: string, system: SystemInfo, text: string, extraRooms: RoomName[] = []): Promise<void> {
    const { store, ids, clock, notifier } = this.deps;
    const { message } = await store.appendMessage({
      id: ids.next(),
      conversationId: groupConversationId(groupId),
      conversationType: 'group',
      memberIds: [],
      senderId: system.actorId,
      kind: 'system',
      body: { text, system },
      clientMsgId: `sys:${ids.next()}`,
      createdAt: clock.now(),
    });
    notifier.publish([groupRoom(groupId), ...extraRooms], 'message:new', message, message.id);
  }

  private async names(userIds: readonly string[]): Promise<Map<string, string>> {
    const users = await this.deps.store.getUsers([...new Set(userIds)]);
    const names = new Map(users.map((u) => [u.id, u.displayName]));
    for (const id of userIds) if (!names.has(id)) names.set(id, id);
    return names;
  }
}
