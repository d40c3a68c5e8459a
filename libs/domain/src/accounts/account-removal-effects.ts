import { groupRoom, userRoom, type GatewayEventName, type RoomName, type ServerEventPayloads } from '@parley/protocol';
import { toGroupView } from '../groups/group-view';
import { toInvitationViews } from '../groups/invitation-view';
import type { DeletedAccount, GroupStore, UserStore } from '../ports';

/**
 * Pushes from a gateway to online sessions on the IM nodes (through the
 * relay): only the events a gateway may originate (GATEWAY_EVENT_NAMES).
 * Best effort, like every push: the store is the truth.
 */
export interface GatewayEvents {
  publish<E extends GatewayEventName>(rooms: readonly RoomName[], event: E, payload: ServerEventPayloads[E]): void;
}

/**
 * Tells the people a deleted account leaves behind, as the IM nodes would
 * have had the user unfriended and left each group themselves: each former
 * friend gets `friend:update {removed}`, each group it stayed in `left` (and
 * `transferred` when its ownership passed on). A dissolved group has nobody
 * left to tell. Each invitee of a cancelled invitation from the user gets
 * `group:invitation` (cancelled), so their client drops it.
 */
export async function announceAccountRemoval(
  store: Pick<GroupStore, 'getGroup'> & Pick<UserStore, 'getUsers'>,
  events: GatewayEvents,
  userId: string,
  deleted: DeletedAccount,
): Promise<void> {
  for (const friendId of deleted.formerFriendIds) {
    events.publish([userRoom(friendId)], 'friend:update', { userId, removed: true });
  }
  for (const outcome of deleted.groups) {
    if (outcome.outcome === 'dissolved') continue;
    const record = await store.getGroup(outcome.groupId);
    if (!record) continue; // dissolved meanwhile
    const group = toGroupView(record);
    const rooms = [groupRoom(outcome.groupId)];
    events.publish(rooms, 'group:update', { group, change: 'left', actorId: userId, userIds: [userId] });
    if (outcome.outcome === 'transferred' && outcome.newOwnerId !== undefined) {
      events.publish(rooms, 'group:update', { group, change: 'transferred', actorId: userId, userIds: [outcome.newOwnerId] });
    }
  }
  const toInvitees = deleted.cancelledInvitations.filter((i) => i.inviteeId !== userId);
  for (const invitation of await toInvitationViews(store, toInvitees)) {
    events.publish([userRoom(invitation.inviteeId)], 'group:invitation', { invitation });
  }
}
