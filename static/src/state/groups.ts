import type { GroupUpdateEvent } from '@parley/protocol';
import type { Action } from './actions';
import { withEntry, withoutEntry } from './maps';
import type { GroupsState } from './types';

/** The conversation id of a group. */
export function groupConversationId(groupId: string): string {
  return `g:${groupId}`;
}

/**
 * What a group update means for me: `removed` (dissolved, or I left or was
 * kicked), `added` (someone else put me in it), or `changed` (anything else).
 */
export function groupChangeForMe(event: GroupUpdateEvent, meId: string): 'removed' | 'added' | 'changed' {
  const aboutMe = event.userIds?.includes(meId) ?? false;
  if (event.change === 'dissolved' || (aboutMe && (event.change === 'kicked' || event.change === 'left'))) return 'removed';
  if ((event.change === 'created' || (event.change === 'joined' && aboutMe)) && event.actorId !== meId) return 'added';
  return 'changed';
}

/** Details (members, roles) of the groups I opened or listed; a group I am no longer in goes away. */
export function groupsReducer(state: GroupsState, action: Action): GroupsState {
  switch (action.type) {
    case 'group/loaded':
      return changed(state, withEntry(state.groups, action.groupId, action.details));
    case 'group/left':
      return changed(state, withoutEntry(state.groups, action.groupId));
    case 'group/event':
      return groupChangeForMe(action.event, action.meId) === 'removed' ? changed(state, withoutEntry(state.groups, action.event.group.id)) : state;
    default:
      return state;
  }
}

function changed(state: GroupsState, groups: GroupsState['groups']): GroupsState {
  return groups === state.groups ? state : { groups };
}
