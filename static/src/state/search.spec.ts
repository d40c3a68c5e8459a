import { describe, expect, it } from '@jest/globals';
import type { Action } from './actions';
import { searchReducer } from './search';
import { message } from './test-fixtures';
import { EMPTY_SEARCH, type SearchState } from './types';

const run = (...actions: Action[]): SearchState => actions.reduce(searchReducer, { search: EMPTY_SEARCH });
const ids = (s: SearchState) => s.search.results.map((m) => m.id);

describe('message search', () => {
  it('starts a query empty and loading, then shows its first page with the cursor for more', () => {
    const started = run({ type: 'search/started', q: 'hike' });
    expect(started.search).toEqual({ q: 'hike', results: [], loading: true });
    const loaded = searchReducer(started, { type: 'search/loaded', q: 'hike', results: [message(9), message(7)], next: 'm7', append: false });
    expect(loaded.search).toMatchObject({ q: 'hike', loading: false, next: 'm7' });
    expect(ids(loaded)).toEqual(['m9', 'm7']);
  });

  it('appends further pages in order, without repeating a result, and ends when there is no cursor', () => {
    const s = run(
      { type: 'search/started', q: 'hike' },
      { type: 'search/loaded', q: 'hike', results: [message(9), message(7)], next: 'm7', append: false },
      { type: 'search/started', q: 'hike' },
      { type: 'search/loaded', q: 'hike', results: [message(7), message(3)], append: true },
    );
    expect(ids(s)).toEqual(['m9', 'm7', 'm3']);
    expect(s.search.next).toBeUndefined();
  });

  it('keeps the results shown while the next page loads', () => {
    const s = run({ type: 'search/started', q: 'a' }, { type: 'search/loaded', q: 'a', results: [message(2)], next: 'm2', append: false }, { type: 'search/started', q: 'a' });
    expect(s.search).toMatchObject({ loading: true });
    expect(ids(s)).toEqual(['m2']);
  });

  it('drops a late answer to an earlier query', () => {
    const s = run({ type: 'search/started', q: 'hi' }, { type: 'search/started', q: 'hike' }, { type: 'search/loaded', q: 'hi', results: [message(1)], append: false });
    expect(s.search).toEqual({ q: 'hike', results: [], loading: true });
  });

  it('shows a failure of the query shown only', () => {
    const s = run({ type: 'search/started', q: 'x' }, { type: 'search/failed', q: 'x', error: 'Too many searches.' });
    expect(s.search).toMatchObject({ loading: false, error: 'Too many searches.' });
    expect(searchReducer(s, { type: 'search/failed', q: 'y', error: 'no' })).toBe(s);
  });

  it('takes a recalled or deleted result out, and shows an edited one as it is now', () => {
    const s = run({ type: 'search/started', q: 't' }, { type: 'search/loaded', q: 't', results: [message(3), message(2), message(1)], append: false });
    const edited = searchReducer(s, { type: 'message/updated', message: message(3, { body: { text: 'new t' } }), entrySeq: 4, meId: 'me' });
    expect(edited.search.results[0]?.body.text).toBe('new t');
    const gone = [
      { type: 'message/updated', message: message(2, { recalled: true, body: { text: '' } }), entrySeq: 5, meId: 'me' },
      { type: 'message/updated', message: message(1, { deleted: true }), entrySeq: 6, meId: 'me' },
    ] as const;
    expect(ids(gone.reduce<SearchState>(searchReducer, edited))).toEqual(['m3']);
  });

  it('clears back to nothing', () => {
    const s = run({ type: 'search/started', q: 'x' }, { type: 'search/cleared' });
    expect(s.search).toBe(EMPTY_SEARCH);
  });
});
