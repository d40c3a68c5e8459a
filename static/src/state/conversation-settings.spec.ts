import { describe, expect, it } from '@jest/globals';
import type { Action } from './actions';
import { conversationsReducer } from './conversations';
import { listOrder } from './list-order';
import { sessionReducer } from './session';
import { ME, conversation, summary } from './test-fixtures';
import type { ConversationsState } from './types';

const empty: ConversationsState = { conversations: new Map(), threads: new Map(), readBy: new Map(), typing: new Map() };
const run = (s: ConversationsState, ...actions: Action[]) => actions.reduce(conversationsReducer, s);

describe('conversation settings in the list', () => {
  it('takes notify, mute and pin from the server list', () => {
    const next = run(empty, { type: 'conversations/listed', summaries: [summary({ notify: 'mentions', mutedUntil: 500, pinnedAt: 100 })], visible: false });
    expect(next.conversations.get('d:alice')).toMatchObject({ notify: 'mentions', mutedUntil: 500, pinnedAt: 100 });
  });

  it('applies a conversation:settings event (another device) to that conversation only', () => {
    const listed = run(empty, { type: 'conversations/listed', summaries: [summary(), summary({ conversationId: 'd:bob' })], visible: false });
    const next = run(listed, { type: 'conversation/settings', settings: { conversationId: 'd:bob', notify: 'all', mutedUntil: 9_000, pinnedAt: 42 } });
    expect(next.conversations.get('d:bob')).toMatchObject({ mutedUntil: 9_000, pinnedAt: 42 });
    expect(next.conversations.get('d:alice')).toMatchObject({ mutedUntil: null, pinnedAt: null });
  });

  it('ignores settings of a conversation not in the list (the next list brings it)', () => {
    expect(run(empty, { type: 'conversation/settings', settings: { conversationId: 'd:x', notify: 'none', mutedUntil: null, pinnedAt: 1 } })).toBe(empty);
  });

  it('orders pinned chats first, the latest pin first, then by activity', () => {
    const chats = [
      conversation({ id: 'old', activityAt: 1 }),
      conversation({ id: 'new', activityAt: 50 }),
      conversation({ id: 'pin-early', activityAt: 0, pinnedAt: 10 }),
      conversation({ id: 'pin-late', activityAt: 0, pinnedAt: 20 }),
    ];
    expect(chats.sort(listOrder).map((c) => c.id)).toEqual(['pin-late', 'pin-early', 'new', 'old']);
  });
});

describe('user settings', () => {
  it('keeps the latest settings, loaded or pushed from another device', () => {
    const settings = { dmPolicy: 'anyone', groupInvites: 'ask', previews: true, dnd: { start: '22:00', end: '07:00', timeZone: 'Asia/Shanghai' } } as const;
    const next = sessionReducer({ me: ME, connection: 'connected', operator: false }, { type: 'settings/changed', settings });
    expect(next.settings).toEqual(settings);
  });
});
