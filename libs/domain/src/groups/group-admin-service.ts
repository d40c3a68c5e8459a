import { ParleyError, groupRoom, type CommandPayload, type Group } from '@parley/protocol';
import { ContentPolicy } from '../content/content-policy';
import type { Clock, GroupStore, IdGenerator, InvitationStore, MessageStore, Notifier, UserStore } from '../ports';
import { loadGroup, requireGroupMember, requireOutranks, requireRole, requireTarget } from './group-access';
import { GroupEffects } from './group-effects';
import { toGroupView } from './group-view';

export interface GroupAdminServiceDeps {
  store: UserStore & GroupStore & MessageStore & InvitationStore;
  notifier: Notifier;
  ids: IdGenerator;
  clock: Clock;
  /** Screens a new group name (word filter: masked, or CONTENT_REJECTED). @default a policy that passes everything */
  content?: ContentPolicy;
}

/**
 * Group moderation. The owner may do everything; admins kick and mute
 * members and edit the group; members none of it. Roles are read from the
 * store on every call.
 */
export class GroupAdminService {
  private readonly effects: GroupEffects;
  private readonly content: ContentPolicy;

  constructor(private readonly deps: GroupAdminServiceDeps) {
    this.content = deps.content ?? new ContentPolicy();
    this.effects = new GroupEffects(deps);
  }

  async kick(actorId: string, input: CommandPayload<'group:kick'>): Promise<void> {
    const { store } = this.deps;
    const { member } = await requireGroupMember(store, input.groupId, actorId);
    requireRole(member, 'admin');
    const target = await requireTarget(store, input.groupId, actorId, input.userId);
    requireOutranks(member, target);
    if (!(await store.removeGroupMember(input.groupId, input.userId))) return;
    await this.effects.removed(await loadGroup(store, input.groupId), actorId, input.userId, 'kicked');
  }

  /** Owner only: makes a member an admin or an admin a member. */
  async setRole(actorId: string, input: CommandPayload<'group:setRole'>): Promise<void> {
    const { store } = this.deps;
    const { member } = await requireGroupMember(store, input.groupId, actorId);
    requireRole(member, 'owner');
    await requireTarget(store, input.groupId, actorId, input.userId);
    await store.setGroupMemberRole(input.groupId, input.userId, input.role);
    const group = await loadGroup(store, input.groupId);
    this.effects.update(group, { change: 'role', actorId, userIds: [input.userId], role: input.role });
  }

  /** Owner only: the target becomes the owner, the former owner an admin. */
  async transfer(actorId: string, input: CommandPayload<'group:transfer'>): Promise<void> {
    const { store } = this.deps;
    const { member } = await requireGroupMember(store, input.groupId, actorId);
    requireRole(member, 'owner');
    await requireTarget(store, input.groupId, actorId, input.userId);
    await store.transferGroupOwnership(input.groupId, actorId, input.userId);
    const group = await loadGroup(store, input.groupId);
    this.effects.update(group, { change: 'transferred', actorId, userIds: [input.userId] });
  }

  /** Mutes a lower-ranked member until `untilMs`; a time not in the future lifts the mute. */
  async mute(actorId: string, input: CommandPayload<'group:mute'>): Promise<void> {
    const { store, clock } = this.deps;
    const { member } = await requireGroupMember(store, input.groupId, actorId);
    requireRole(member, 'admin');
    const target = await requireTarget(store, input.groupId, actorId, input.userId);
    requireOutranks(member, target);
    const mutedUntil = input.untilMs > clock.now() ? input.untilMs : null;
    await store.setGroupMemberMute(input.groupId, input.userId, mutedUntil);
    const group = await loadGroup(store, input.groupId);
    this.effects.update(group, { change: 'muted', actorId, userIds: [input.userId], ...(mutedUntil ? { mutedUntil } : {}) });
  }

  /** Owner and admins: name, announcement, mute-all, public, join approval. */
  async update(actorId: string, input: CommandPayload<'group:update'>): Promise<Group> {
    const { store } = this.deps;
    const { group: before, member } = await requireGroupMember(store, input.groupId, actorId);
    requireRole(member, 'admin');
    const { groupId, ...given } = input;
    const patch = given.name === undefined ? given : { ...given, name: this.content.screenName(given.name, 'groupName') };
    const group = await store.updateGroup(groupId, {
      ...patch,
      ...(patch.announcement !== undefined ? { announcement: patch.announcement || null } : {}),
    });
    this.effects.update(group, { change: 'updated', actorId });
    if (patch.name !== undefined && patch.name !== before.name) await this.effects.renamed(groupId, actorId, patch.name);
    return toGroupView(group);
  }

  /** Owner only: the group, its history and its requests are deleted; every member is told and leaves the room. */
  async dissolve(actorId: string, input: CommandPayload<'group:dissolve'>): Promise<void> {
    const { store, notifier } = this.deps;
    const { group, member } = await requireGroupMember(store, input.groupId, actorId);
    requireRole(member, 'owner');
    const members = await store.listGroupMembers(group.id);
    if (!(await store.deleteGroup(group.id))) throw new ParleyError('NOT_FOUND', 'group not found');
    this.effects.update(group, { change: 'dissolved', actorId });
    await notifier.leaveRoom(
      members.map((m) => m.userId),
      groupRoom(group.id),
    );
  }
}
