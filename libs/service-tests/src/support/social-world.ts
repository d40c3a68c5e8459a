import { SqliteStore } from '@parley/store';
import { MemoryPresence } from '@parley/presence';
import {
  FriendService,
  GroupAdminService,
  GroupService,
  MessagingService,
  SessionService,
  type GroupServiceOptions,
  type Store,
} from '@parley/domain';
import { RecordingNotifier, sequenceIds } from '@parley/domain/testing';
import type { Group, Message } from '@parley/protocol';

/** Every domain service over one in-memory SQLite store, a settable clock and a recording notifier. */
export interface SocialWorld {
  store: Store;
  notifier: RecordingNotifier;
  presence: MemoryPresence;
  clock: { t: number; now(): number };
  messaging: MessagingService;
  groups: GroupService;
  admin: GroupAdminService;
  friends: FriendService;
  sessions: SessionService;
  addUsers(...ids: string[]): Promise<void>;
  befriend(a: string, b: string): Promise<void>;
  /** A group of `ownerId` with `memberIds` in it: friends are added, the others accept their invitations. */
  groupWith(ownerId: string, name: string, memberIds: string[]): Promise<Group>;
  dm(from: string, to: string, text: string): Promise<Message>;
  post(from: string, groupId: string, text: string): Promise<Message>;
  close(): Promise<void>;
}

export async function createSocialWorld(groupOptions: Partial<GroupServiceOptions> = {}): Promise<SocialWorld> {
  const store = new SqliteStore({ filename: ':memory:' });
  await store.migrate();
  const notifier = new RecordingNotifier();
  const clock = { t: 1_700_000_000_000, now: () => clock.t };
  const presence = new MemoryPresence({ clock });
  await presence.heartbeat('n1', 60_000);
  const ids = sequenceIds('id');
  const deps = { store, notifier, ids, clock };
  const friends = new FriendService({ ...deps, presence });
  let counter = 0;
  const world: SocialWorld = {
    store,
    notifier,
    presence,
    clock,
    messaging: new MessagingService(deps),
    groups: new GroupService({ ...deps, presence, options: groupOptions }),
    admin: new GroupAdminService(deps),
    friends,
    sessions: new SessionService({ nodeId: 'n1', store, presence, notifier, clock }),
    async addUsers(...userIds) {
      for (const id of userIds) {
        await store.createUser({ id, username: id, displayName: id.toUpperCase(), passwordHash: 'x', createdAt: clock.now() });
      }
    },
    async befriend(a, b) {
      const request = await friends.request(a, { userId: b });
      await friends.respond(b, { requestId: request.id, accept: true });
    },
    async groupWith(ownerId, name, memberIds) {
      const { group, invitations } = await world.groups.create(ownerId, { name, memberIds });
      for (const invitation of invitations) {
        await world.groups.respondToInvitation(invitation.inviteeId, { invitationId: invitation.id, accept: true });
      }
      return invitations.length > 0 ? (await world.groups.info(ownerId, { groupId: group.id })).group : group;
    },
    dm: (from, to, text) =>
      world.messaging.send(from, { to: { type: 'user', id: to }, clientMsgId: `c${++counter}`, kind: 'text', body: { text } }),
    post: (from, groupId, text) =>
      world.messaging.send(from, { to: { type: 'group', id: groupId }, clientMsgId: `c${++counter}`, kind: 'text', body: { text } }),
    close: () => store.close(),
  };
  return world;
}
