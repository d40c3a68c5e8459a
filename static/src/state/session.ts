import type { Action } from './actions';
import type { SessionState } from './types';

/** Who I am and the connection's state. */
export function sessionReducer(state: SessionState, action: Action): SessionState {
  switch (action.type) {
    case 'connection/changed':
      return { ...state, connection: action.connection, nodeId: action.nodeId };
    case 'connection/draining':
      return state.connection === 'draining' ? state : { ...state, connection: 'draining' };
    case 'connection/reconnected':
      return state.nodeId === action.nodeId ? state : { ...state, nodeId: action.nodeId };
    case 'profile/updated':
      return { ...state, me: action.user };
    case 'settings/changed':
      return { ...state, settings: action.settings };
    case 'operator/checked':
      return state.operator === action.operator ? state : { ...state, operator: action.operator };
    default:
      return state;
  }
}
