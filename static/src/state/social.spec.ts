import { describe, expect, it } from '@jest/globals';
import type { FriendView } from '@parley/protocol';
import type { Action } from './actions';
import { CONTACTS_UNAVAILABLE, PRESENCE_QUERY_MAX, presenceTargets, socialReducer } from './social';
import { ME, conversation, friendRequest, summary, user } from './test-fixtures';
import type { SocialState } from './types';

function state(fields: Partial<SocialState> = {}): SocialState {
  return {
    social: { friends: [], incoming: [], outgoing: [], blocked: [], loaded: false },
    users: new Map([[ME.id, ME]]),
    online: new Map(),
    lastSeenAt: new Map(),
    ...fields,
  };
}

const friend = (id: string, online = false): FriendView => ({ user: user(id), online, lastSeenAt: online ? null : 100 });
const run = (s: SocialState, ...actions: Action[]) => actions.reduce(socialReducer, s);

describe('social reducer: contacts', () => {
  it('loads friends, pending requests and blocks, and learns the friends as users with their presence', () => {
    const next = run(state(), {
      type: 'social/loaded',
      friends: [friend('alice', true)],
      requests: {
        incoming: [friendRequest('r1', 'pending'), friendRequest('r2', 'accepted')],
        outgoing: [friendRequest('r3', 'pending', { fromUserId: ME.id, toUserId: 'bob' }), friendRequest('r4', 'cancelled')],
      },
      blocked: [user('eve')],
    });
    expect(next.social).toEqual({
      friends: [friend('alice', true)],
      incoming: [friendRequest('r1', 'pending')],
      outgoing: [friendRequest('r3', 'pending', { fromUserId: ME.id, toUserId: 'bob' })],
      blocked: [user('eve')],
      loaded: true,
      error: undefined,
    });
    expect(next.users.get('alice')).toEqual(user('alice'));
    expect(next.online.get('alice')).toBe(true);
    expect(next.lastSeenAt.get('alice')).toBeNull();
  });

  it('keeps what it had for the parts that failed to load, and says so when the friend list failed', () => {
    const before = run(state(), { type: 'social/loaded', friends: [friend('alice')], requests: { incoming: [friendRequest('r1', 'pending')], outgoing: [] }, blocked: [] });
    const next = run(before, { type: 'social/loaded' });
    expect(next.social).toMatchObject({ friends: [friend('alice')], incoming: [friendRequest('r1', 'pending')], loaded: true, error: CONTACTS_UNAVAILABLE });
  });
});

describe('social reducer: presence', () => {
  it('applies a presence push to the user and to the friend row', () => {
    const before = state({ social: { ...state().social, friends: [friend('alice'), friend('bob')] } });
    const next = run(before, { type: 'presence/changed', presence: { userId: 'alice', online: true, lastSeenAt: null } });
    expect(next.online.get('alice')).toBe(true);
    expect(next.social.friends.map((f) => f.online)).toEqual([true, false]);
    expect(next.social.friends[1]).toBe(before.social.friends[1]);
    expect(before.social.friends[0]?.online).toBe(false);
  });

  it('forgets the presence of users the server no longer answers for', () => {
    const before = state({ online: new Map([['alice', true], ['eve', true], ['zed', false]]), lastSeenAt: new Map([['eve', null]]) });
    const next = run(before, { type: 'presence/queried', asked: ['alice', 'eve'], presence: [{ userId: 'alice', online: false, lastSeenAt: 7 }] });
    expect([...next.online]).toEqual([['alice', false], ['zed', false]]);
    expect(next.lastSeenAt.has('eve')).toBe(false);
    expect(next.lastSeenAt.get('alice')).toBe(7);
  });

  it('asks for the presence of direct peers and friends, each once, at most the query limit', () => {
    const conversations = new Map([
      ['d:alice', conversation()],
      ['g:g1', conversation({ id: 'g:g1', type: 'group', peer: undefined })],
    ]);
    const friends = [friend('alice'), friend('bob')];
    expect(presenceTargets({ conversations, social: { ...state().social, friends } })).toEqual(['alice', 'bob']);
    const many = Array.from({ length: PRESENCE_QUERY_MAX + 5 }, (_, i) => friend(`u${i}`));
    expect(presenceTargets({ conversations: new Map(), social: { ...state().social, friends: many } })).toHaveLength(PRESENCE_QUERY_MAX);
  });
});

describe('social reducer: users met elsewhere', () => {
  it('learns direct peers from the conversation list and users from opened chats and my profile', () => {
    const next = run(
      state(),
      { type: 'conversations/listed', summaries: [summary(), summary({ conversationId: 'g:g1', type: 'group', peer: undefined })], visible: false },
      { type: 'direct/opened', conversationId: 'd:bob', user: user('bob'), at: 0 },
      { type: 'profile/updated', user: { ...ME, displayName: 'New me' } },
    );
    expect([...next.users.keys()].sort()).toEqual(['alice', 'bob', 'me']);
    expect(next.users.get(ME.id)?.displayName).toBe('New me');
  });

  it("learns a group's members and whether they are online from its details", () => {
    const details = { group: { id: 'g1' } as never, members: [{ user: user('carol'), role: 'member' as const, online: true }] };
    const next = run(state(), { type: 'group/loaded', groupId: 'g1', details });
    expect(next.users.get('carol')).toEqual(user('carol'));
    expect(next.online.get('carol')).toBe(true);
  });

  it('returns the same state when nothing it holds changes', () => {
    const before = state();
    expect(run(before, { type: 'profile/updated', user: ME })).toBe(before);
    expect(run(before, { type: 'presence/queried', asked: [], presence: [] })).toBe(before);
    expect(run(before, { type: 'toast/expired', id: 1 })).toBe(before);
  });
});
