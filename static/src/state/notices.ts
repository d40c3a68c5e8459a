import type { Action } from './actions';
import type { NoticesState } from './types';

/** At most this many notices show at once; a new one pushes out the oldest. */
export const MAX_NOTICES = 3;

/**
 * Operators' notices (`system:notice`), shown as banners until dismissed. A
 * notice heard twice (it reached this session over two paths) shows once.
 */
export function noticesReducer(state: NoticesState, action: Action): NoticesState {
  switch (action.type) {
    case 'notice/received':
      if (state.notices.some((n) => n.id === action.notice.id)) return state;
      return { notices: [...state.notices, action.notice].slice(-MAX_NOTICES) };
    case 'notice/dismissed': {
      const notices = state.notices.filter((n) => n.id !== action.id);
      return notices.length === state.notices.length ? state : { notices };
    }
    default:
      return state;
  }
}
