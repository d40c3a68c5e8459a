import {
  ParleyError,
  groupRoom,
  userRoom,
  type CommandPayload,
  type CommandResults,
  type Group,
  type GroupMemberView,
} from '@parley/protocol';
import { toUserView } from '../accounts/user-view';
import { ContentPolicy } from '../content/content-policy';
import {
  StoreError,
  type Clock,
  type GroupJoinRequestRecord,
  type IdGenerator,
  type Notifier,
  type Presence,
  type StoreAggregates,
} from '../ports';
import { hiddenCoMembers } from '../presence/presence-visibility';
import { loadGroup, requireGroupMember, requireRole } from './group-access';
import { GroupEffects } from './group-effects';
import { GroupInvitations, type GroupInvitationOptions } from './group-invitations';
import { toGroupView } from './group-view';
import { sortInvitees } from './invitation-policy';

export interface GroupServiceOptions extends GroupInvitationOptions {
  /** Largest group allowed, owner included. @default 2000 */
  maxMembers: number;
}

export const DEFAULT_GROUP_OPTIONS: GroupServiceOptions = Object.freeze({
  maxMembers: 2000,
  maxPendingInvitations: 100,
  maxPendingInvitationsPerInviter: 5,
});

export interface GroupServiceDeps {
  /** Every aggregate: groups, their members' users and blocks, join requests, system messages. */
  store: StoreAggregates;
  presence: Presence;
  notifier: Notifier;
  ids: IdGenerator;
  clock: Clock;
  options?: Partial<GroupServiceOptions>;
  /** Screens group names (word filter: masked, or CONTENT_REJECTED). @default a policy that passes everything */
  content?: ContentPolicy;
}

/**
 * Group life cycle and membership: create, info, list, search, invite, join,
 * join requests, invitations, leave. Every right is checked against the
 * store, never the payload. Nobody becomes a member without consent: an
 * invitee who is not the inviter's friend (or asks for every invitation) gets
 * an invitation to accept instead (GroupInvitations). Moderation (kick,
 * roles, mutes, settings, dissolve) is in GroupAdminService.
 */
export class GroupService {
  private readonly options: GroupServiceOptions;
  private readonly effects: GroupEffects;
  private readonly invitations: GroupInvitations;
  private readonly content: ContentPolicy;

  constructor(private readonly deps: GroupServiceDeps) {
    this.content = deps.content ?? new ContentPolicy();
    this.options = { ...DEFAULT_GROUP_OPTIONS, ...deps.options };
    this.effects = new GroupEffects(deps);
    this.invitations = new GroupInvitations(deps, this.effects, this.options);
  }

  /** Friends who allow it become members at once; the other invitees get invitations (blocked ones neither). */
  async create(ownerId: string, input: CommandPayload<'group:create'>): Promise<CommandResults['group:create']> {
    const name = this.content.screenName(input.name, 'groupName');
    const memberIds = [...new Set(input.memberIds ?? [])].filter((id) => id !== ownerId);
    if (memberIds.length + 1 > this.options.maxMembers) {
      throw new ParleyError('INVALID_ARGUMENT', `memberIds: a group holds at most ${this.options.maxMembers} members`);
    }
    const { direct, ask } = await sortInvitees(this.deps.store, ownerId, memberIds);
    const record = await this.deps.store.createGroup({
      id: this.deps.ids.next(),
      name,
      ownerId,
      memberIds: direct,
      createdAt: this.deps.clock.now(),
    });
    const memberRooms = [ownerId, ...direct].map(userRoom);
    this.deps.notifier.joinRoom([ownerId, ...direct], groupRoom(record.id));
    // Also to the members' own rooms: remote nodes may not have announced interest in the new group room yet.
    this.effects.update(record, { change: 'created', actorId: ownerId, userIds: direct }, memberRooms);
    return { group: toGroupView(record), invitations: await this.invitations.ask(record, ownerId, ask) };
  }

  async info(userId: string, input: CommandPayload<'group:info'>): Promise<CommandResults['group:info']> {
    const { store, presence, clock } = this.deps;
    const { group } = await requireGroupMember(store, input.groupId, userId);
    const members = await store.listGroupMembers(input.groupId);
    const userIds = members.map((m) => m.userId);
    const [users, online, hidden] = await Promise.all([
      store.getUsers(userIds),
      presence.query(userIds),
      hiddenCoMembers(store, userId, userIds),
    ]);
    const userById = new Map(users.map((u) => [u.id, u]));
    // Members on either side of a block with the caller show as offline, as presence:query leaves them out.
    const onlineById = new Map(online.map((p) => [p.userId, p.online && !hidden.has(p.userId)]));
    const now = clock.now();
    return {
      group: toGroupView(group),
      members: members.flatMap((m) => {
        const user = userById.get(m.userId);
        if (!user) return [];
        const view: GroupMemberView = { user: toUserView(user), role: m.role, online: onlineById.get(m.userId) ?? false };
        if (m.mutedUntil !== null && m.mutedUntil > now) view.mutedUntil = m.mutedUntil;
        return [view];
      }),
    };
  }

  async list(userId: string): Promise<Group[]> {
    return (await this.deps.store.listUserGroups(userId)).map(toGroupView);
  }

  /** Public groups by name, with which of them the caller is in (so a client offers Join only where it applies). */
  async search(userId: string, input: CommandPayload<'group:search'>): Promise<CommandResults['group:search']> {
    const { store } = this.deps;
    const [found, mine] = await Promise.all([
      store.searchPublicGroups(input.q, input.limit, input.offset),
      store.listUserGroupIds(userId),
    ]);
    const memberOf = new Set(mine);
    return { groups: found.map(toGroupView), memberOf: found.filter((g) => memberOf.has(g.id)).map((g) => g.id) };
  }

  /**
   * Any member may invite. With `joinApproval` on, a plain member's invitees
   * wait for an owner or admin first (join requests). Then friends who allow
   * it are added now and everyone else is asked (invitations); users across
   * a block with the inviter are left out of every list, as are members.
   */
  async invite(actorId: string, input: CommandPayload<'group:invite'>): Promise<CommandResults['group:invite']> {
    const { store, ids, clock } = this.deps;
    const { group, member } = await requireGroupMember(store, input.groupId, actorId);
    const existing = new Set((await store.listGroupMembers(group.id)).map((m) => m.userId));
    const candidates = [...new Set(input.userIds)].filter((id) => !existing.has(id));
    const { direct, ask } = await sortInvitees(store, actorId, candidates);
    if (group.joinApproval && member.role === 'member') {
      const requests: GroupJoinRequestRecord[] = [];
      for (const userId of [...direct, ...ask]) {
        const { request, created } = await store.createGroupJoinRequest({
          id: ids.next(),
          groupId: group.id,
          userId,
          inviterId: actorId,
          createdAt: clock.now(),
        });
        if (created) await this.effects.requestChanged(request);
        requests.push(request);
      }
      return { group: toGroupView(group), added: [], requests: await this.effects.requestViews(requests), invitations: [] };
    }
    const added = await this.addMembers(group.id, actorId, direct);
    const invitations = await this.invitations.ask(added.group, actorId, ask);
    return { group: toGroupView(added.group), added: added.userIds, requests: [], invitations };
  }

  /** `group:invitations`: the caller's pending invitations, newest first. */
  async pendingInvitations(userId: string): Promise<CommandResults['group:invitations']> {
    return { invitations: await this.invitations.pending(userId) };
  }

  /** `group:invitation:respond`: the invitee accepts (and joins) or declines. */
  respondToInvitation(userId: string, input: CommandPayload<'group:invitation:respond'>): Promise<CommandResults['group:invitation:respond']> {
    return this.invitations.respond(userId, input);
  }

  /** Public groups only: joins at once, or files a join request when the group wants approval. */
  async join(userId: string, input: CommandPayload<'group:join'>): Promise<CommandResults['group:join']> {
    const { store, ids, clock } = this.deps;
    const group = await loadGroup(store, input.groupId);
    if (await store.getGroupMember(group.id, userId)) throw new ParleyError('CONFLICT', 'already a member');
    if (!group.isPublic) throw new ParleyError('FORBIDDEN', 'this group is not public; ask a member for an invite');
    if (group.joinApproval) {
      const { request, created } = await store.createGroupJoinRequest({
        id: ids.next(),
        groupId: group.id,
        userId,
        inviterId: null,
        createdAt: clock.now(),
      });
      if (created) return { request: await this.effects.requestChanged(request) };
      return { request: await this.effects.requestView(request) };
    }
    return { group: toGroupView((await this.addMembers(group.id, userId, [userId])).group) };
  }

  /** Pending join requests: owner and admins only. */
  async requests(userId: string, input: CommandPayload<'group:requests'>): Promise<CommandResults['group:requests']> {
    const { member } = await requireGroupMember(this.deps.store, input.groupId, userId);
    requireRole(member, 'admin');
    return { requests: await this.effects.requestViews(await this.deps.store.listGroupJoinRequests(input.groupId)) };
  }

  /** Owner and admins answer join requests; an accepted one adds the user (within the member limit). */
  async respond(actorId: string, input: CommandPayload<'group:respond'>): Promise<CommandResults['group:respond']> {
    const { store, clock } = this.deps;
    const record = await store.getGroupJoinRequest(input.requestId);
    if (!record) throw new ParleyError('NOT_FOUND', 'join request not found');
    const { member } = await requireGroupMember(store, record.groupId, actorId);
    requireRole(member, 'admin');
    if (record.status !== 'pending') throw new StoreError('request-resolved', { status: record.status });
    // Add first: a full group leaves the request pending rather than accepted-but-absent.
    if (input.accept) await this.admit(record);
    const resolved = await store.resolveGroupJoinRequest(record.id, input.accept ? 'accepted' : 'rejected', clock.now());
    return { request: await this.effects.requestChanged(resolved) };
  }

  /** Any member but the owner, who must transfer ownership (or dissolve) first. */
  async leave(userId: string, input: CommandPayload<'group:leave'>): Promise<void> {
    const { store } = this.deps;
    const { member } = await requireGroupMember(store, input.groupId, userId);
    if (member.role === 'owner') throw new ParleyError('FORBIDDEN', 'the owner must transfer ownership before leaving');
    if (!(await store.removeGroupMember(input.groupId, userId))) return;
    await this.effects.removed(await loadGroup(store, input.groupId), userId, userId, 'left');
  }

  /**
   * An approved join request: one the user filed joins them now; one a member
   * filed for them still needs their consent as that member's invite would.
   */
  private async admit(record: GroupJoinRequestRecord): Promise<void> {
    if (!record.inviterId) {
      await this.addMembers(record.groupId, record.userId, [record.userId]);
      return;
    }
    const { direct, ask } = await sortInvitees(this.deps.store, record.inviterId, [record.userId]);
    const { group } = await this.addMembers(record.groupId, record.inviterId, direct);
    await this.invitations.ask(group, record.inviterId, ask);
  }

  private async addMembers(groupId: string, actorId: string, userIds: readonly string[]) {
    const { store, clock } = this.deps;
    const added = await store.addGroupMembers(groupId, userIds, clock.now(), this.options.maxMembers);
    const group = await loadGroup(store, groupId);
    if (added.length > 0) await this.effects.joined(group, actorId, added);
    return { group, userIds: added };
  }
}
