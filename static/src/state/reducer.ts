import type { Action } from './actions';
import { conversationsReducer } from './conversations';
import { groupsReducer } from './groups';
import { invitationsReducer } from './invitations';
import { noticesReducer } from './notices';
import { outboxReducer } from './outbox';
import { searchReducer } from './search';
import { sessionReducer } from './session';
import { socialReducer } from './social';
import { toastsReducer } from './toasts';
import { uploadsReducer } from './uploads';
import type {
  ConversationsState,
  GroupsState,
  InvitationsState,
  NoticesState,
  OutboxState,
  SearchState,
  SessionState,
  SocialState,
  State,
  ToastsState,
  UploadsState,
} from './types';

type Reducer<S> = (state: S, action: Action) => S;

/** A slice: the keys of State it owns and the reducer over them. */
interface Slice<S> {
  pick: (state: State) => S;
  reduce: Reducer<S>;
}

function slice<S>(keys: readonly (keyof S & keyof State)[], reduce: Reducer<S>): Slice<S> {
  return { pick: (state) => Object.fromEntries(keys.map((k) => [k, state[k]])) as S, reduce };
}

/** Every slice once; no two own the same key (a test checks that together they cover State). */
export const SLICES = [
  slice<SessionState>(['me', 'connection', 'nodeId', 'operator', 'settings'], sessionReducer),
  slice<ConversationsState>(['conversations', 'threads', 'readBy', 'typing', 'activeId', 'focus'], conversationsReducer),
  slice<OutboxState>(['outgoing'], outboxReducer),
  slice<UploadsState>(['uploads'], uploadsReducer),
  slice<SearchState>(['search'], searchReducer),
  slice<SocialState>(['social', 'users', 'online', 'lastSeenAt'], socialReducer),
  slice<GroupsState>(['groups'], groupsReducer),
  slice<InvitationsState>(['invitations'], invitationsReducer),
  slice<ToastsState>(['toasts'], toastsReducer),
  slice<NoticesState>(['notices'], noticesReducer),
] as const;

/**
 * The whole state after one action: each slice reducer sees every action and
 * answers for its own keys. The same object comes back when no slice changed.
 */
export function reduce(state: State, action: Action): State {
  let next = state;
  for (const { pick, reduce: reduceSlice } of SLICES as readonly Slice<unknown>[]) {
    const before = pick(state);
    const after = reduceSlice(before, action);
    if (after !== before) next = { ...next, ...(after as Partial<State>) };
  }
  return next;
}
