import { describe, expect, it } from '@jest/globals';
import type { Action } from './actions';
import { outboxReducer } from './outbox';
import { ME, message, outgoing } from './test-fixtures';
import type { OutboxState } from './types';

const run = (s: OutboxState, ...actions: Action[]) => actions.reduce(outboxReducer, s);
const ids = (s: OutboxState) => s.outgoing.map((o) => o.clientMsgId);

describe('outbox reducer', () => {
  it('queues sends in the order they were written', () => {
    const next = run({ outgoing: [] }, { type: 'outbox/queued', outgoing: outgoing('a') }, { type: 'outbox/queued', outgoing: outgoing('b') });
    expect(ids(next)).toEqual(['a', 'b']);
  });

  it('drops a send once the server acked it, or when the user discards it', () => {
    const before = { outgoing: [outgoing('a'), outgoing('b'), outgoing('c')] };
    const next = run(before, { type: 'outbox/sent', clientMsgId: 'a', conversationId: 'd:alice', seq: 1 }, { type: 'outbox/discarded', clientMsgId: 'c' });
    expect(ids(next)).toEqual(['b']);
  });

  it('marks a send failed with a reason, and sending again on retry', () => {
    const failed = run({ outgoing: [outgoing('a')] }, { type: 'outbox/failed', clientMsgId: 'a', error: 'Server unavailable' });
    expect(failed.outgoing[0]).toMatchObject({ status: 'failed', error: 'Server unavailable' });
    const retried = run(failed, { type: 'outbox/retried', clientMsgId: 'a' });
    expect(retried.outgoing[0]).toMatchObject({ status: 'sending', error: undefined });
  });

  it('ignores a failure of a send already discarded', () => {
    const before = { outgoing: [outgoing('b')] };
    expect(run(before, { type: 'outbox/failed', clientMsgId: 'a', error: 'x' })).toBe(before);
  });

  it('drops the pending copy when my message arrives another way (a push, a history page)', () => {
    const before = { outgoing: [outgoing('c1'), outgoing('c2'), outgoing('c3')] };
    const pushed = run(before, { type: 'message/received', message: message(1, { senderId: ME.id, clientMsgId: 'c1' }), meId: ME.id, readNow: false });
    expect(ids(pushed)).toEqual(['c2', 'c3']);
    const paged = run(pushed, { type: 'history/loaded', conversationId: 'd:alice', page: { messages: [message(2, { senderId: ME.id, clientMsgId: 'c3' })], hasMore: false, throughSeq: 2 }, meId: ME.id });
    expect(ids(paged)).toEqual(['c2']);
  });

  it("keeps my sends when someone else's message carries the same clientMsgId", () => {
    const before = { outgoing: [outgoing('c1')] };
    expect(run(before, { type: 'message/received', message: message(1, { senderId: 'alice', clientMsgId: 'c1' }), meId: ME.id, readNow: false })).toBe(before);
  });

  it('never changes the list it was given', () => {
    const list = [outgoing('a')];
    run({ outgoing: list }, { type: 'outbox/failed', clientMsgId: 'a', error: 'x' }, { type: 'outbox/queued', outgoing: outgoing('b') });
    expect(list).toEqual([outgoing('a')]);
  });
});
