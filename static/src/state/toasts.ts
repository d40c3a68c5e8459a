import type { Action } from './actions';
import type { ToastsState } from './types';

/** At most this many toasts show at once; a new one pushes out the oldest. */
export const MAX_TOASTS = 3;

/** Short notices; the store expires each one after a while. */
export function toastsReducer(state: ToastsState, action: Action): ToastsState {
  switch (action.type) {
    case 'toast/shown':
      return { toasts: [...state.toasts, action.toast].slice(-MAX_TOASTS) };
    case 'toast/expired': {
      const toasts = state.toasts.filter((t) => t.id !== action.id);
      return toasts.length === state.toasts.length ? state : { toasts };
    }
    default:
      return state;
  }
}
