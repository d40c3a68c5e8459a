import {
  ParleyError,
  groupRoom,
  type CommandPayload,
  type CommandResults,
  type Group,
} from '@parley/protocol';
import { toUserView } from '../accounts/user-view';
import type { Clock, IdGenerator, Notifier, Presence, Store } from '../ports';
import { toGroupView } from './group-view';

export interface GroupServiceOptions {
  /** Largest group allowed, owner included. @default 2000 */
  maxMembers: number;
}

export const DEFAULT_GROUP_OPTIONS: GroupServiceOptions = Object.freeze({ maxMembers: 2000 });

export interface GroupServiceDeps {
  store: Store;
  presence: Presence;
  notifier: Notifier;
  ids: IdGenerator;
  clock: Clock;
  options?: Partial<GroupServiceOptions>;
}

/** Group life cycle; every right is checked against the store, never the payload. */
export class GroupService {
  private readonly options: GroupServiceOptions;

  constructor(private readonly deps: GroupServiceDeps) {
    this.options = { ...DEFAULT_GROUP_OPTIONS, ...deps.options };
  }

  async create(ownerId: string, input: CommandPayload<'group:create'>): Promise<Group> {
    const memberIds = [...new Set(input.memberIds ?? [])].filter((id) => id !== ownerId);
    if (memberIds.length + 1 > this.options.maxMembers) {
      throw new ParleyError('INVALID_ARGUMENT', `memberIds: a group holds at most ${this.options.maxMembers} members`);
    }
    const record = await this.deps.store.createGroup({
      id: this.deps.ids.next(),
      name: input.name,
      ownerId,
      memberIds,
      createdAt: this.deps.clock.now(),
    });
    const group = toGroupView(record);
    const room = groupRoom(group.id);
    this.deps.notifier.joinRoom([ownerId, ...memberIds], room);
    this.deps.notifier.publish([room], 'group:update', { group, change: 'created' });
    return group;
  }

  async info(userId: string, input: CommandPayload<'group:info'>): Promise<CommandResults['group:info']> {
    const { store, presence } = this.deps;
    const record = await store.getGroup(input.groupId);
    if (!record) throw new ParleyError('NOT_FOUND', 'group not found');
    if (!(await store.getGroupMember(input.groupId, userId))) {
      throw new ParleyError('FORBIDDEN', 'not a member of this group');
    }
    const members = await store.listGroupMembers(input.groupId);
    const userIds = members.map((m) => m.userId);
    const [users, online] = await Promise.all([store.getUsers(userIds), presence.query(userIds)]);
    const userById = new Map(users.map((u) => [u.id, u]));
    const onlineById = new Map(online.map((p) => [p.userId, p.online]));
    return {
      group: toGroupView(record),
      members: members.flatMap((m) => {
        const user = userById.get(m.userId);
        return user ? [{ user: toUserView(user), role: m.role, online: onlineById.get(m.userId) ?? false }] : [];
      }),
    };
  }
}
