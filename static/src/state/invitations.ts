import type { GroupInvitation } from '@parley/protocol';
import type { Action } from './actions';
import { groupChangeForMe } from './groups';
import type { InvitationsState } from './types';

/**
 * Group invitations waiting for my answer, newest first. One goes away when I
 * answer it (here or on another device) or when I join its group anyway.
 */
export function invitationsReducer(state: InvitationsState, action: Action): InvitationsState {
  switch (action.type) {
    case 'invitations/loaded':
      return { invitations: pendingNewestFirst(action.invitations) };
    case 'invitation/event': {
      const { invitation, meId } = action;
      // An answer to an invitation I made is news (a toast), not something for me to answer.
      if (invitation.inviteeId !== meId) return state;
      const others = state.invitations.filter((i) => i.id !== invitation.id);
      if (invitation.status !== 'pending') return others.length === state.invitations.length ? state : { invitations: others };
      return { invitations: pendingNewestFirst([invitation, ...others]) };
    }
    case 'invitation/answered':
      return without(state, (i) => i.id === action.invitationId);
    case 'group/event':
      return groupChangeForMe(action.event, action.meId) === 'added' ? without(state, (i) => i.group.id === action.event.group.id) : state;
    default:
      return state;
  }
}

function pendingNewestFirst(invitations: readonly GroupInvitation[]): GroupInvitation[] {
  return invitations.filter((i) => i.status === 'pending').sort((a, b) => b.createdAt - a.createdAt);
}

function without(state: InvitationsState, drop: (i: GroupInvitation) => boolean): InvitationsState {
  const invitations = state.invitations.filter((i) => !drop(i));
  return invitations.length === state.invitations.length ? state : { invitations };
}
