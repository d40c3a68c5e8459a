import { describe, expect, it } from '@jest/globals';
import type { Action } from './actions';
import { MAX_TOASTS, toastsReducer } from './toasts';
import type { Toast, ToastsState } from './types';

const shown = (id: number, tone: Toast['tone'] = 'info'): Action => ({ type: 'toast/shown', toast: { id, text: `t${id}`, tone } });
const run = (s: ToastsState, ...actions: Action[]) => actions.reduce(toastsReducer, s);

describe('toasts reducer', () => {
  it(`shows the newest ${MAX_TOASTS} toasts, oldest first`, () => {
    const next = run({ toasts: [] }, shown(1), shown(2, 'error'), shown(3), shown(4));
    expect(next.toasts.map((t) => t.id)).toEqual([2, 3, 4]);
  });

  it('takes an expired toast away and ignores one already gone', () => {
    const before = run({ toasts: [] }, shown(1), shown(2));
    expect(run(before, { type: 'toast/expired', id: 1 }).toasts.map((t) => t.id)).toEqual([2]);
    expect(run(before, { type: 'toast/expired', id: 9 })).toBe(before);
  });
});
