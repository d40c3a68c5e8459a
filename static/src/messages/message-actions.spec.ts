import { describe, expect, it } from '@jest/globals';
import type { ParleyClient } from '@parley/client';
import { ParleyError, type GroupRole, type Message } from '@parley/protocol';
import type { Action } from '../state/actions';
import { ME, conversation, group, message } from '../state/test-fixtures';
import { initialState, type State } from '../state/types';
import { MessageActions, RECALL_WINDOW_MS } from './message-actions';

const NOW = 10_000_000;

/** Actions over a fake client that acks everything, in a state holding one group chat where I have `role`. */
function setup(role: GroupRole | undefined, held: Message[] = [], refuse = false) {
  const g = group('g1', { ownerId: 'owner' });
  let state: State = initialState(ME);
  state = {
    ...state,
    conversations: new Map([['g:g1', conversation({ id: 'g:g1', type: 'group', peer: undefined, group: g })]]),
    groups: new Map([['g1', { group: g, members: role ? [{ user: ME, role, online: true }] : [] }]]),
    threads: new Map([['g:g1', { messages: held, hasMore: false, loading: false, loaded: true, changeSeq: new Map([['m3', 7]]) }]]),
  };
  const dispatched: Action[] = [];
  const client = {
    react: () => Promise.resolve(),
    recall: () => (refuse ? Promise.reject(new ParleyError('FORBIDDEN', 'a message can be recalled only within 30 seconds of sending')) : Promise.resolve()),
    deleteForMe: () => Promise.resolve(),
    edit: (id: string, text: string) =>
      refuse ? Promise.reject(new Error('refused')) : Promise.resolve({ ...message(3, { id, conversationId: 'g:g1' }), body: { text }, editedAt: NOW }),
  } as unknown as ParleyClient;
  const toasts: string[] = [];
  const actions = new MessageActions({ client, dispatch: (a) => dispatched.push(a), state: () => state, meId: () => ME.id, toast: (t) => toasts.push(t) });
  return { actions, dispatched, toasts };
}

const inGroup = (seq: number, fields: Partial<Message> = {}) => message(seq, { conversationId: 'g:g1', createdAt: NOW - 1_000, ...fields });

describe('who may recall', () => {
  it('the sender within the window, not after it', () => {
    const { actions } = setup('member');
    expect(actions.mayRecall(inGroup(1, { senderId: ME.id }), NOW)).toBe(true);
    expect(actions.mayRecall(inGroup(1, { senderId: ME.id, createdAt: NOW - RECALL_WINDOW_MS }), NOW)).toBe(false);
    expect(actions.mayRecall(inGroup(1, { senderId: 'bob' }), NOW)).toBe(false);
  });

  it("a group's admin any member's message at any time, but not the owner's; the owner any", () => {
    const old = { createdAt: 0 };
    expect(setup('admin').actions.mayRecall(inGroup(1, { senderId: 'bob', ...old }), NOW)).toBe(true);
    expect(setup('admin').actions.mayRecall(inGroup(1, { senderId: 'owner', ...old }), NOW)).toBe(false);
    expect(setup('owner').actions.mayRecall(inGroup(1, { senderId: 'bob', ...old }), NOW)).toBe(true);
  });

  it('nobody a message already recalled', () => {
    expect(setup('owner').actions.mayRecall(inGroup(1, { senderId: 'bob', recalled: true }), NOW)).toBe(false);
  });
});

describe('an acked change shows at once', () => {
  it('as of a seq just past the newest held, so the server\'s update for it (or anything later) still applies', async () => {
    const target = inGroup(3, { senderId: 'bob' });
    const { actions, dispatched } = setup('member', [inGroup(2), target, inGroup(5)]);
    await actions.toggleReaction(target, '👍');
    // Seqs held: 2, 3, 5 and a change seen at 7: the acked state counts as of 7.5.
    expect(dispatched).toEqual([{ type: 'message/updated', message: { ...target, reactions: [{ emoji: '👍', userIds: [ME.id] }] }, entrySeq: 7.5, meId: ME.id }]);
  });

  it('takes my reaction off when it is on', async () => {
    const target = inGroup(3, { senderId: 'bob', reactions: [{ emoji: '👍', userIds: [ME.id, 'bob'] }] });
    const { actions, dispatched } = setup('member', [target]);
    await actions.toggleReaction(target, '👍');
    expect(dispatched[0]).toMatchObject({ message: { reactions: [{ emoji: '👍', userIds: ['bob'] }] } });
  });

  it('a recall as a tombstone, a delete as gone for me', async () => {
    const target = inGroup(3, { senderId: ME.id, reactions: [{ emoji: '👍', userIds: ['bob'] }] });
    const { actions, dispatched } = setup('member', [target]);
    await actions.recall(target);
    await actions.deleteForMe(target);
    expect(dispatched[0]).toMatchObject({ message: { id: 'm3', recalled: true, body: { text: '' } } });
    expect((dispatched[0] as { message: Message }).message.reactions).toBeUndefined();
    expect(dispatched[1]).toMatchObject({ message: { id: 'm3', deleted: true } });
  });

  it('a refusal is a toast and changes nothing', async () => {
    const { actions, dispatched, toasts } = setup('member', [inGroup(3)], true);
    await expect(actions.edit(inGroup(3), 'new')).resolves.toBe(false);
    expect(dispatched).toEqual([]);
    expect(toasts).toHaveLength(1);
  });

  it('a recall the server refuses (its window may be shorter than the menu\'s 2 minutes) toasts the server\'s reason', async () => {
    const mine = inGroup(3, { senderId: ME.id });
    const { actions, dispatched, toasts } = setup('member', [mine], true);
    expect(actions.mayRecall(mine, NOW)).toBe(true);
    await expect(actions.recall(mine)).resolves.toBe(false);
    expect(dispatched).toEqual([]);
    expect(toasts).toEqual(['A message can be recalled only within 30 seconds of sending']);
  });
});
