import type { Action } from './actions';
import { EMPTY_SEARCH, type SearchState } from './types';

/**
 * The message search panel: a new query starts over; a page answers only the
 * query now shown (a late answer to an earlier one is dropped); further pages
 * append, skipping results already shown.
 */
export function searchReducer(state: SearchState, action: Action): SearchState {
  const s = state.search;
  switch (action.type) {
    case 'search/started':
      return { search: action.q === s.q ? { ...s, loading: true, error: undefined } : { q: action.q, results: [], loading: true } };
    case 'search/loaded': {
      if (action.q !== s.q) return state;
      const seen = new Set(action.append ? s.results.map((m) => m.id) : []);
      const fresh = action.results.filter((m) => !seen.has(m.id));
      return { search: { q: s.q, results: action.append ? [...s.results, ...fresh] : fresh, next: action.next, loading: false } };
    }
    case 'search/failed':
      return action.q === s.q ? { search: { ...s, loading: false, error: action.error } } : state;
    case 'search/cleared':
      return s === EMPTY_SEARCH ? state : { search: EMPTY_SEARCH };
    case 'message/updated': {
      // A result recalled or deleted for me meanwhile leaves the list; an edited one shows its new text.
      const i = s.results.findIndex((m) => m.id === action.message.id);
      if (i < 0) return state;
      const m = action.message;
      const results = m.recalled || m.deleted ? s.results.filter((r) => r.id !== m.id) : s.results.map((r) => (r.id === m.id ? m : r));
      return { search: { ...s, results } };
    }
    default:
      return state;
  }
}
