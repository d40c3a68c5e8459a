import { describe, expect, it } from '@jest/globals';
import type { Message } from '@parley/protocol';
import type { Action } from './actions';
import { conversationsReducer, latestSeq, targetOf } from './conversations';
import { ME, conversation, group, groupEvent, message, outgoing, summary, user } from './test-fixtures';
import type { Conversation, ConversationsState, Thread } from './types';

function state(fields: Partial<ConversationsState> = {}): ConversationsState {
  return { conversations: new Map(), threads: new Map(), readBy: new Map(), typing: new Map(), ...fields };
}

function withConv(c: Conversation, fields: Partial<ConversationsState> = {}): ConversationsState {
  return state({ conversations: new Map([[c.id, c]]), ...fields });
}

function thread(fields: Partial<Thread> = {}): Thread {
  return { messages: [], hasMore: true, loading: false, loaded: false, ...fields };
}

const run = (s: ConversationsState, ...actions: Action[]) => actions.reduce(conversationsReducer, s);
const received = (m = message(1), readNow = false): Action => ({ type: 'message/received', message: m, meId: ME.id, readNow });

describe('conversations reducer: the server list', () => {
  it('adds each listed conversation with the server unread count and read position', () => {
    const last = message(7);
    const next = run(state(), { type: 'conversations/listed', summaries: [summary({ lastMessage: last, lastSeq: 7, readSeq: 4, unread: 3 })], visible: true });
    expect(next.conversations.get('d:alice')).toEqual({ id: 'd:alice', type: 'direct', peer: user('alice'), group: undefined, last, activityAt: last.createdAt, unread: 3, readSeq: 4, mentioned: false, notify: 'all', mutedUntil: null, pinnedAt: null });
  });

  it('keeps the open chat of a visible tab at zero unread, but not in a hidden tab', () => {
    const listed = (visible: boolean): Action => ({ type: 'conversations/listed', summaries: [summary({ lastMessage: message(3), unread: 2 })], visible });
    expect(run(state({ activeId: 'd:alice' }), listed(true)).conversations.get('d:alice')?.unread).toBe(0);
    expect(run(state({ activeId: 'd:alice' }), listed(false)).conversations.get('d:alice')?.unread).toBe(2);
  });

  it('never moves how far I read, the last message or the activity time backwards', () => {
    const before = withConv(conversation({ last: message(9), readSeq: 8, activityAt: 99_000 }));
    const next = run(before, { type: 'conversations/listed', summaries: [summary({ lastMessage: message(5), readSeq: 3 })], visible: false });
    expect(next.conversations.get('d:alice')).toMatchObject({ last: message(9), readSeq: 8, activityAt: 99_000 });
  });

  it('sorts a group without messages by when it was created', () => {
    const next = run(state(), { type: 'conversations/listed', summaries: [summary({ conversationId: 'g:g1', type: 'group', peer: undefined, group: group('g1', { createdAt: 777 }) })], visible: false });
    expect(next.conversations.get('g:g1')?.activityAt).toBe(777);
  });

  it('drops groups and written chats the server no longer lists, and keeps a new local chat without messages', () => {
    const before = state({
      conversations: new Map([
        ['g:gone', conversation({ id: 'g:gone', type: 'group', group: group('gone') })],
        ['d:old', conversation({ id: 'd:old', last: message(1) })],
        ['d:new', conversation({ id: 'd:new' })],
      ]),
    });
    const next = run(before, { type: 'conversations/listed', summaries: [], visible: false });
    expect([...next.conversations.keys()]).toEqual(['d:new']);
  });

  it('remembers how far the peer has read, so "seen" survives a reload', () => {
    const next = run(state(), { type: 'conversations/listed', summaries: [summary({ peerReadSeq: 6 })], visible: false });
    expect(next.readBy.get('d:alice')?.get('alice')).toBe(6);
  });
});

describe('conversations reducer: messages', () => {
  it('holds messages in seq order, one per seq', () => {
    const next = run(state(), received(message(3)), received(message(1)), received(message(3, { body: { text: 'again' } })));
    expect(next.threads.get('d:alice')?.messages.map((m) => [m.seq, m.body.text])).toEqual([
      [1, 'text 1'],
      [3, 'again'],
    ]);
  });

  it("counts someone else's new message as unread and makes it the conversation's last", () => {
    const next = run(withConv(conversation({ readSeq: 1, unread: 0 })), received(message(2)));
    expect(next.conversations.get('d:alice')).toMatchObject({ unread: 1, last: message(2), activityAt: message(2).createdAt });
  });

  it('does not count my own messages, messages already read, or a message read at once in the open chat', () => {
    const base = withConv(conversation({ readSeq: 5 }));
    expect(run(base, received(message(6, { senderId: ME.id }))).conversations.get('d:alice')?.unread).toBe(0);
    expect(run(base, received(message(5))).conversations.get('d:alice')?.unread).toBe(0);
    expect(run(base, received(message(6), true)).conversations.get('d:alice')?.unread).toBe(0);
  });

  it('keeps a message for a conversation not listed yet in its thread only', () => {
    const next = run(state(), received(message(1, { conversationId: 'd:bob' })));
    expect(next.conversations.size).toBe(0);
    expect(next.threads.get('d:bob')?.messages).toHaveLength(1);
  });

  it("ends the sender's typing indicator, and only theirs", () => {
    const typing = new Map([['d:alice', new Map([['alice', 50], ['bob', 50]])]]);
    const next = run(state({ typing }), received(message(1)));
    expect([...(next.typing.get('d:alice')?.keys() ?? [])]).toEqual(['bob']);
    expect(typing.get('d:alice')?.size).toBe(2);
  });
});

describe('conversations reducer: changes to messages', () => {
  const reaction = (seq: number, messageId = 'm1'): Message =>
    message(seq, { id: `e${seq}`, kind: 'change', change: { type: 'reaction', messageId, emoji: '👍', on: true }, body: { text: '' }, createdAt: 99_000 });
  const held = (fields: Partial<Conversation> = {}) =>
    withConv(conversation({ last: message(1), readSeq: 1, activityAt: 1_000, ...fields }), { threads: new Map([['d:alice', thread({ messages: [message(1)] })]]) });

  it('never counts a change entry as unread, nor lets it move the chat up or become the last message', () => {
    const next = run(held(), received(reaction(2)));
    expect(next.conversations.get('d:alice')).toMatchObject({ unread: 0, activityAt: 1_000, last: { id: 'm1' } });
    expect(next.threads.get('d:alice')?.messages.map((m) => m.id)).toEqual(['m1']);
  });

  it('shows the change on the message and on the list\'s last message', () => {
    const next = run(held(), received(reaction(2)));
    expect(next.threads.get('d:alice')?.messages[0]?.reactions).toEqual([{ emoji: '👍', userIds: ['alice'] }]);
    expect(next.conversations.get('d:alice')?.last?.reactions).toEqual([{ emoji: '👍', userIds: ['alice'] }]);
  });

  it('does not count a recalled message as unread', () => {
    expect(run(held(), received(message(2, { recalled: true, body: { text: '' } }))).conversations.get('d:alice')?.unread).toBe(0);
  });

  it('takes a message:update: the thread\'s copy and the last message follow', () => {
    const recalled = message(1, { recalled: true, body: { text: '' } });
    const next = run(held(), { type: 'message/updated', message: recalled, entrySeq: 2, meId: ME.id });
    expect(next.threads.get('d:alice')?.messages[0]).toBe(recalled);
    expect(next.conversations.get('d:alice')?.last).toBe(recalled);
  });

  it('falls back to the newest message still shown when the last one is deleted for me', () => {
    const before = withConv(conversation({ last: message(2) }), { threads: new Map([['d:alice', thread({ messages: [message(1), message(2)] })]]) });
    const next = run(before, { type: 'message/updated', message: message(2, { deleted: true }), entrySeq: 3, meId: ME.id });
    expect(next.threads.get('d:alice')?.messages.map((m) => m.id)).toEqual(['m1']);
    expect(next.conversations.get('d:alice')?.last?.id).toBe('m1');
  });

  it('counts unread and the "@" marker again when an unread message is recalled (pushed or as a log entry)', () => {
    const mention = message(3, { mentions: [ME.id] });
    const unreadTwo = () =>
      withConv(conversation({ last: mention, readSeq: 1, unread: 2, mentioned: true }), {
        threads: new Map([['d:alice', thread({ messages: [message(1), message(2), mention] })]]),
      });
    const pushed = run(unreadTwo(), { type: 'message/updated', message: { ...mention, recalled: true, body: { text: '' }, mentions: undefined }, entrySeq: 4, meId: ME.id });
    expect(pushed.conversations.get('d:alice')).toMatchObject({ unread: 1, mentioned: false });
    const recall = message(4, { id: 'e4', kind: 'change', change: { type: 'recall', messageId: 'm2' }, body: { text: '' } });
    const entry = run(unreadTwo(), received(recall));
    expect(entry.conversations.get('d:alice')).toMatchObject({ unread: 1, mentioned: true });
    // Recalling one I have read, or with nothing held past the read mark, leaves the counts alone.
    expect(run(unreadTwo(), { type: 'message/updated', message: message(1, { recalled: true }), entrySeq: 4, meId: ME.id }).conversations.get('d:alice')).toMatchObject({ unread: 2 });
    const unheld = withConv(conversation({ last: message(3), readSeq: 1, unread: 2 }));
    expect(run(unheld, { type: 'message/updated', message: message(3, { recalled: true }), entrySeq: 4, meId: ME.id }).conversations.get('d:alice')?.unread).toBe(2);
  });

  it('applies a page\'s updates to messages held, and skips its change entries', () => {
    const page = { messages: [reaction(2)], hasMore: true, throughSeq: 2, updates: [message(1, { reactions: [{ emoji: '🎉', userIds: ['bob'] }] })] };
    const next = run(held(), { type: 'history/loaded', conversationId: 'd:alice', page, meId: ME.id, newer: true });
    expect(next.threads.get('d:alice')?.messages).toEqual([message(1, { reactions: [{ emoji: '🎉', userIds: ['bob'] }] })]);
    expect(next.threads.get('d:alice')).toMatchObject({ hasNewer: true, coveredTo: 2 });
  });

  it("takes a newer page as covering up to its throughSeq, so seqs hidden at its end are not fetched again", () => {
    const before = state({ threads: new Map([['d:alice', thread({ messages: [message(5)], loaded: true, hasNewer: true, coveredTo: 5 })]]) });
    const page = { messages: [message(6)], hasMore: false, throughSeq: 9 };
    const next = run(before, { type: 'history/loaded', conversationId: 'd:alice', page, meId: ME.id, newer: true });
    expect(next.threads.get('d:alice')).toMatchObject({ hasNewer: false, coveredTo: 9 });
  });

  it('remembers how far back pages went, so a page of change entries alone is not fetched again', () => {
    const before = state({ threads: new Map([['d:alice', thread({ messages: [message(40)], loaded: true })]]) });
    const page = { messages: [reaction(20, 'm40'), reaction(21, 'm40')], hasMore: true, throughSeq: 39 };
    expect(run(before, { type: 'history/loaded', conversationId: 'd:alice', page, meId: ME.id }).threads.get('d:alice')?.coveredFrom).toBe(20);
  });
});

describe('conversations reducer: the "@" marker', () => {
  const groupChat = (fields: Partial<Conversation> = {}) => conversation({ id: 'g:g1', type: 'group', peer: undefined, group: group('g1'), ...fields });
  const inGroup = (seq: number, fields: Partial<Message> = {}) => message(seq, { conversationId: 'g:g1', senderId: 'bob', ...fields });

  it('turns on when an unread message mentions me or everyone, and not for others\' mentions', () => {
    expect(run(withConv(groupChat()), received(inGroup(1, { mentions: [ME.id] }))).conversations.get('g:g1')?.mentioned).toBe(true);
    expect(run(withConv(groupChat()), received(inGroup(1, { mentions: ['@all'] }))).conversations.get('g:g1')?.mentioned).toBe(true);
    expect(run(withConv(groupChat()), received(inGroup(1, { mentions: ['carol'] }))).conversations.get('g:g1')?.mentioned).toBe(false);
  });

  it('stays off for a mention read at once in the open chat', () => {
    expect(run(withConv(groupChat()), received(inGroup(1, { mentions: [ME.id] }), true)).conversations.get('g:g1')?.mentioned).toBe(false);
  });

  it('comes from the server\'s list, and goes when the chat is read', () => {
    const listed = run(state(), {
      type: 'conversations/listed',
      summaries: [summary({ conversationId: 'g:g1', type: 'group', peer: undefined, group: group('g1'), lastMessage: inGroup(3), lastSeq: 3, unread: 2, mentioned: true })],
      visible: false,
    });
    expect(listed.conversations.get('g:g1')?.mentioned).toBe(true);
    const read = run(listed, { type: 'conversation/read', conversationId: 'g:g1' });
    expect(read.conversations.get('g:g1')).toMatchObject({ mentioned: false, unread: 0 });
  });

  it('goes when I read everything on another device', () => {
    const before = withConv(groupChat({ last: inGroup(5), readSeq: 2, unread: 3, mentioned: true }));
    const next = run(before, { type: 'receipt/received', receipt: { conversationId: 'g:g1', userId: ME.id, readSeq: 5 }, meId: ME.id });
    expect(next.conversations.get('g:g1')).toMatchObject({ mentioned: false, unread: 0 });
  });

  it('recounts unread from the messages held when I read part of them elsewhere, skipping change seqs', () => {
    const thread5 = thread({ messages: [inGroup(3), inGroup(5)] });
    const before = withConv(groupChat({ last: inGroup(5), readSeq: 2, unread: 2 }), { threads: new Map([['g:g1', thread5]]) });
    const next = run(before, { type: 'receipt/received', receipt: { conversationId: 'g:g1', userId: ME.id, readSeq: 3 }, meId: ME.id });
    expect(next.conversations.get('g:g1')?.unread).toBe(1);
  });
});

describe('conversations reducer: a message opened in context', () => {
  it('replaces the thread with the window around it, which takes no live messages until it reaches the newest', () => {
    const before = withConv(conversation({ last: message(90) }), { threads: new Map([['d:alice', thread({ messages: [message(89), message(90)], loaded: true })]]) });
    const around = run(before, {
      type: 'history/around',
      conversationId: 'd:alice',
      page: { messages: [message(9), message(10), message(11)], hasMore: false, throughSeq: 11 },
      hasOlder: true,
      hasNewer: true,
      meId: ME.id,
    });
    expect(around.threads.get('d:alice')).toMatchObject({ hasMore: true, hasNewer: true, loaded: true, coveredFrom: 9, coveredTo: 11 });
    expect(around.threads.get('d:alice')?.messages.map((m) => m.seq)).toEqual([9, 10, 11]);
    const live = run(around, received(message(91)));
    expect(live.threads.get('d:alice')?.messages.map((m) => m.seq)).toEqual([9, 10, 11]);
    expect(live.conversations.get('d:alice')?.last?.seq).toBe(91);
    const focused = run(live, { type: 'message/focused', conversationId: 'd:alice', messageId: 'm10', nonce: 1 });
    expect(focused.focus).toEqual({ conversationId: 'd:alice', messageId: 'm10', nonce: 1 });
  });
});

describe('conversations reducer: history pages', () => {
  it('marks the thread loading while a page is fetched', () => {
    expect(run(state(), { type: 'history/requested', conversationId: 'd:alice' }).threads.get('d:alice')?.loading).toBe(true);
  });

  it('merges an older page before the messages held and records whether more exist', () => {
    const before = state({ threads: new Map([['d:alice', thread({ messages: [message(5)], loaded: true, loading: true })]]) });
    const next = run(before, { type: 'history/loaded', conversationId: 'd:alice', page: { messages: [message(3), message(4)], hasMore: false, throughSeq: 4 }, meId: ME.id });
    expect(next.threads.get('d:alice')).toMatchObject({ loading: false, loaded: true, hasMore: false });
    expect(next.threads.get('d:alice')?.messages.map((m) => m.seq)).toEqual([3, 4, 5]);
  });

  it('after a failed fetch only stops loading, so scrolling up tries again', () => {
    const before = state({ threads: new Map([['d:alice', thread({ loading: true })]]) });
    expect(run(before, { type: 'history/loaded', conversationId: 'd:alice', meId: ME.id }).threads.get('d:alice')).toEqual(thread());
  });

  it('marks a brand-new chat loaded with nothing older to fetch', () => {
    expect(run(state(), { type: 'history/none', conversationId: 'd:alice' }).threads.get('d:alice')).toMatchObject({ loaded: true, hasMore: false });
  });
});

describe('conversations reducer: receipts and typing', () => {
  it('moves how far I read when I read on another device, and recounts unread', () => {
    const before = withConv(conversation({ last: message(10), readSeq: 4, unread: 6 }));
    const next = run(before, { type: 'receipt/received', receipt: { conversationId: 'd:alice', userId: ME.id, readSeq: 8 }, meId: ME.id });
    expect(next.conversations.get('d:alice')).toMatchObject({ readSeq: 8, unread: 2 });
  });

  it('ignores a receipt of mine older than how far I read', () => {
    const before = withConv(conversation({ readSeq: 9 }));
    expect(run(before, { type: 'receipt/received', receipt: { conversationId: 'd:alice', userId: ME.id, readSeq: 3 }, meId: ME.id })).toBe(before);
  });

  it("records how far each other member has read, never backwards", () => {
    const r = (readSeq: number): Action => ({ type: 'receipt/received', receipt: { conversationId: 'g:g1', userId: 'bob', readSeq }, meId: ME.id });
    expect(run(state(), r(7), r(5)).readBy.get('g:g1')?.get('bob')).toBe(7);
  });

  it('shows who is typing until their time runs out', () => {
    const typing = run(state(), { type: 'typing/started', conversationId: 'd:alice', userId: 'alice', until: 4_000 });
    expect(typing.typing.get('d:alice')?.get('alice')).toBe(4_000);
    expect(run(typing, { type: 'typing/expired', now: 3_999 })).toBe(typing);
    expect(run(typing, { type: 'typing/expired', now: 4_000 }).typing.get('d:alice')?.size).toBe(0);
  });
});

describe('conversations reducer: opening and reading', () => {
  it('opens a chat with the "new messages" divider at the first unread message', () => {
    const next = run(withConv(conversation({ readSeq: 4, unread: 2 })), { type: 'conversation/opened', conversationId: 'd:alice' });
    expect(next.activeId).toBe('d:alice');
    expect(next.threads.get('d:alice')).toEqual(thread({ firstUnreadSeq: 5 }));
  });

  it('opens a read chat without a divider, and closes it again', () => {
    const opened = run(withConv(conversation({ readSeq: 4 })), { type: 'conversation/opened', conversationId: 'd:alice' });
    expect(opened.threads.get('d:alice')?.firstUnreadSeq).toBeUndefined();
    expect(run(opened, { type: 'conversation/opened' }).activeId).toBeUndefined();
  });

  it('reads up to the newest message held, in the thread or as the last message', () => {
    const before = withConv(conversation({ last: message(6), readSeq: 2, unread: 4 }), { threads: new Map([['d:alice', thread({ messages: [message(8)] })]]) });
    expect(latestSeq(before, 'd:alice')).toBe(8);
    expect(run(before, { type: 'conversation/read', conversationId: 'd:alice' }).conversations.get('d:alice')).toMatchObject({ unread: 0, readSeq: 8 });
  });

  it('changes nothing when everything held is read already, or nothing is held', () => {
    const read = withConv(conversation({ last: message(6), readSeq: 6 }));
    expect(run(read, { type: 'conversation/read', conversationId: 'd:alice' })).toBe(read);
    const empty = withConv(conversation({ unread: 1 }));
    expect(run(empty, { type: 'conversation/read', conversationId: 'd:alice' })).toBe(empty);
  });

  it('creates a direct chat locally once, and keeps the existing one', () => {
    const action: Action = { type: 'direct/opened', conversationId: 'd:bob', user: user('bob'), at: 42 };
    const next = run(state(), action);
    expect(next.conversations.get('d:bob')).toEqual({ id: 'd:bob', type: 'direct', peer: user('bob'), activityAt: 42, unread: 0, readSeq: 0, mentioned: false, notify: 'all', mutedUntil: null, pinnedAt: null });
    expect(run(next, action)).toBe(next);
  });
});

describe('conversations reducer: my sends', () => {
  it('moves a chat up when I write in it and counts my acked message as read', () => {
    const queued = run(withConv(conversation({ readSeq: 3 })), { type: 'outbox/queued', outgoing: outgoing('c1', { createdAt: 5_000 }) });
    expect(queued.conversations.get('d:alice')?.activityAt).toBe(5_000);
    const sent = run(queued, { type: 'outbox/sent', clientMsgId: 'c1', conversationId: 'd:alice', seq: 4 });
    expect(sent.conversations.get('d:alice')?.readSeq).toBe(4);
  });

  it('writes to the group of a group chat and to the peer of a direct chat', () => {
    expect(targetOf(conversation({ type: 'group', group: group('g1') }))).toEqual({ type: 'group', id: 'g1' });
    expect(targetOf(conversation())).toEqual({ type: 'user', id: 'alice' });
  });
});

describe('conversations reducer: groups', () => {
  const groupChat = conversation({ id: 'g:g1', type: 'group', peer: undefined, group: group('g1') });

  it('takes the group as it is after a change or a details load', () => {
    const renamed = group('g1', { name: 'Renamed' });
    expect(run(withConv(groupChat), { type: 'group/event', event: groupEvent('updated', { group: renamed }), meId: ME.id }).conversations.get('g:g1')?.group).toBe(renamed);
    expect(run(withConv(groupChat), { type: 'group/loaded', groupId: 'g1', details: { group: renamed, members: [] } }).conversations.get('g:g1')?.group).toBe(renamed);
  });

  it('adds a group I created to the list at once', () => {
    const next = run(state(), { type: 'group/created', group: group('g2'), at: 9 });
    expect(next.conversations.get('g:g2')).toEqual({ id: 'g:g2', type: 'group', group: group('g2'), activityAt: 9, unread: 0, readSeq: 0, mentioned: false, notify: 'all', mutedUntil: null, pinnedAt: null });
  });

  it('removes a group I left and closes it if it was open', () => {
    const next = run(withConv(groupChat, { activeId: 'g:g1' }), { type: 'group/left', groupId: 'g1' });
    expect(next.conversations.has('g:g1')).toBe(false);
    expect(next.activeId).toBeUndefined();
  });
});

describe('conversations reducer: purity', () => {
  it('returns the same state for actions of other slices and never changes the state it was given', () => {
    const before = withConv(conversation({ last: message(2), unread: 1 }), { threads: new Map([['d:alice', thread({ messages: [message(2)] })]]) });
    const snapshot = structuredClone(before);
    expect(run(before, { type: 'toast/expired', id: 1 })).toBe(before);
    run(before, received(message(3)), { type: 'conversation/read', conversationId: 'd:alice' }, { type: 'conversation/opened', conversationId: 'd:alice' });
    expect(before).toEqual(snapshot);
  });
});
