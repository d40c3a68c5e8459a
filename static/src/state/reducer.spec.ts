import { describe, expect, it } from '@jest/globals';
import { SLICES, reduce } from './reducer';
import { ME, message, outgoing } from './test-fixtures';
import { initialState } from './types';

describe('root reducer', () => {
  it('gives every key of the state to exactly one slice', () => {
    const state = { ...initialState(ME), nodeId: 'im-1', activeId: 'd:alice', focus: { conversationId: 'd:alice', messageId: 'm1', nonce: 1 } };
    const owned = SLICES.flatMap((s) => Object.keys(s.pick(state)));
    expect(owned.sort()).toEqual(Object.keys(state).sort());
    expect(new Set(owned).size).toBe(owned.length);
  });

  it('returns the same state when no slice changed', () => {
    const state = initialState(ME);
    expect(reduce(state, { type: 'toast/expired', id: 1 })).toBe(state);
  });

  it('lets one action change several slices and leaves the others as they were', () => {
    const queued = reduce(initialState(ME), { type: 'outbox/queued', outgoing: outgoing('c1') });
    const next = reduce(queued, { type: 'message/received', message: message(1, { senderId: ME.id, clientMsgId: 'c1' }), meId: ME.id, readNow: false });
    expect(next.outgoing).toEqual([]);
    expect(next.threads.get('d:alice')?.messages).toHaveLength(1);
    expect(next.social).toBe(queued.social);
    expect(next.users).toBe(queued.users);
    expect(next.toasts).toBe(queued.toasts);
  });
});
