import type { PresenceInfo, User } from '@parley/protocol';
import type { Action } from './actions';
import { withEntries, withoutEntries } from './maps';
import type { ConversationsState, SocialState } from './types';

/** Shown in the contacts panel when the friend list could not be loaded. */
export const CONTACTS_UNAVAILABLE = 'Contacts are not available right now.';
/** At most this many users per presence query. */
export const PRESENCE_QUERY_MAX = 200;

/**
 * Friends, friend requests and blocks, every user met so far (for names),
 * and who is online. Users are learned from conversation summaries, friend
 * lists, group member lists and direct chats opened.
 */
export function socialReducer(state: SocialState, action: Action): SocialState {
  switch (action.type) {
    case 'presence/changed': {
      const p = action.presence;
      const friend = state.social.friends.find((f) => f.user.id === p.userId && f.online !== p.online);
      const friends = friend ? state.social.friends.map((f) => (f.user.id === p.userId ? { ...f, online: p.online } : f)) : state.social.friends;
      return withPresence(friend ? { ...state, social: { ...state.social, friends } } : state, [p]);
    }
    case 'presence/queried': {
      // Whom the server left out we may no longer see (a block either way, a DM not yet written): forget their state.
      const answered = new Set(action.presence.map((p) => p.userId));
      const gone = action.asked.filter((id) => !answered.has(id));
      const online = withoutEntries(state.online, gone);
      const lastSeenAt = withoutEntries(state.lastSeenAt, gone);
      const next = online === state.online && lastSeenAt === state.lastSeenAt ? state : { ...state, online, lastSeenAt };
      return withPresence(next, action.presence);
    }
    case 'social/loaded': {
      let next: SocialState = { ...state, social: { ...state.social, loaded: true, error: action.friends ? undefined : CONTACTS_UNAVAILABLE } };
      if (action.friends) {
        next = withUsers({ ...next, social: { ...next.social, friends: action.friends } }, action.friends.map((f) => f.user));
        next = withPresence(next, action.friends.map((f) => ({ userId: f.user.id, online: f.online, lastSeenAt: f.lastSeenAt })));
      }
      if (action.requests) {
        const incoming = action.requests.incoming.filter((r) => r.status === 'pending');
        const outgoing = action.requests.outgoing.filter((r) => r.status === 'pending');
        next = { ...next, social: { ...next.social, incoming, outgoing } };
      }
      if (action.blocked) next = { ...next, social: { ...next.social, blocked: action.blocked } };
      return next;
    }
    case 'conversations/listed':
      return withUsers(state, action.summaries.flatMap((s) => (s.peer ? [s.peer] : [])));
    case 'direct/opened':
      return withUsers(state, [action.user]);
    case 'profile/updated':
      return withUsers(state, [action.user]);
    case 'group/loaded': {
      const members = action.details.members;
      const next = withUsers(state, members.map((m) => m.user));
      const online = withEntries(next.online, members.map((m) => [m.user.id, m.online] as const));
      return online === next.online ? next : { ...next, online };
    }
    default:
      return state;
  }
}

/** Whose presence to ask for: direct peers and friends (pushes reach friends only), at most PRESENCE_QUERY_MAX. */
export function presenceTargets(state: Pick<ConversationsState, 'conversations'> & Pick<SocialState, 'social'>): string[] {
  const ids = new Set<string>();
  for (const c of state.conversations.values()) if (c.peer) ids.add(c.peer.id);
  for (const f of state.social.friends) ids.add(f.user.id);
  return [...ids].slice(0, PRESENCE_QUERY_MAX);
}

function withUsers(state: SocialState, users: readonly User[]): SocialState {
  const map = withEntries(state.users, users.map((u) => [u.id, u] as const));
  return map === state.users ? state : { ...state, users: map };
}

function withPresence(state: SocialState, presence: readonly PresenceInfo[]): SocialState {
  const online = withEntries(state.online, presence.map((p) => [p.userId, p.online] as const));
  const lastSeenAt = withEntries(state.lastSeenAt, presence.map((p) => [p.userId, p.lastSeenAt] as const));
  return online === state.online && lastSeenAt === state.lastSeenAt ? state : { ...state, online, lastSeenAt };
}
