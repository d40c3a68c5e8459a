import { describe, expect, it } from '@jest/globals';
import type { SystemNotice } from '@parley/protocol';
import type { Action } from './actions';
import { MAX_NOTICES, noticesReducer } from './notices';
import type { NoticesState } from './types';

const notice = (id: string, level: SystemNotice['level'] = 'info'): SystemNotice => ({ id, text: `notice ${id}`, level, at: 1 });
const received = (n: SystemNotice): Action => ({ type: 'notice/received', notice: n });
const run = (s: NoticesState, ...actions: Action[]) => actions.reduce(noticesReducer, s);

describe('notices reducer (operators’ banners)', () => {
  it(`shows the newest ${MAX_NOTICES} notices, oldest first`, () => {
    const next = run({ notices: [] }, received(notice('a')), received(notice('b', 'warning')), received(notice('c')), received(notice('d')));
    expect(next.notices.map((n) => n.id)).toEqual(['b', 'c', 'd']);
  });

  it('shows a notice heard twice once', () => {
    const once = run({ notices: [] }, received(notice('a')));
    expect(run(once, received(notice('a')))).toBe(once);
  });

  it('takes a dismissed notice away and ignores one already gone', () => {
    const before = run({ notices: [] }, received(notice('a')), received(notice('b')));
    expect(run(before, { type: 'notice/dismissed', id: 'a' }).notices.map((n) => n.id)).toEqual(['b']);
    expect(run(before, { type: 'notice/dismissed', id: 'zz' })).toBe(before);
  });

  it('returns the same state for actions of other slices', () => {
    const state: NoticesState = { notices: [] };
    expect(noticesReducer(state, { type: 'toast/expired', id: 1 })).toBe(state);
  });
});
