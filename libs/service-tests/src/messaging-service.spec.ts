import { SqliteStore } from '@parley/store';
import { MemoryPresence } from '@parley/presence';
import { groupRoom, userRoom } from '@parley/protocol';
import { ConversationService, GroupService, MessagingService, RateLimiter, type Store } from '@parley/domain';
import { RecordingNotifier, sequenceIds } from '@parley/domain/testing';
import { at } from '@parley/testing';

/** Domain services over the real SQLite engine: the rules, with a store that really enforces them. */
describe('MessagingService', () => {
  let store: Store;
  let notifier: RecordingNotifier;
  let messaging: MessagingService;
  let groups: GroupService;
  const clock = { now: () => 1_700_000_000_000 };

  const addUser = (id: string) =>
    store.createUser({ id, username: id, displayName: id, passwordHash: 'x', createdAt: clock.now() });
  const text = (to: { type: 'user' | 'group'; id: string }, body: string, clientMsgId = body) =>
    ({ to, clientMsgId, kind: 'text', body: { text: body } }) as const;

  beforeEach(async () => {
    store = new SqliteStore({ filename: ':memory:' });
    await store.migrate();
    notifier = new RecordingNotifier();
    const ids = sequenceIds('m');
    messaging = new MessagingService({ store, notifier, ids, clock });
    groups = new GroupService({ store, presence: new MemoryPresence({ clock }), notifier, ids: sequenceIds('g'), clock });
    for (const id of ['alice', 'bob', 'carol']) await addUser(id);
    // Direct messages need friendship (the default DM policy); see social-messaging.spec.ts for the rules.
    // Friends are also added to groups directly (strangers are invited: group-invitations.spec.ts).
    for (const [id, friend] of [['fr1', 'bob'], ['fr2', 'carol']] as const) {
      const request = await store.createFriendRequest({ id, fromUserId: 'alice', toUserId: friend, note: null, createdAt: clock.now() });
      await store.resolveFriendRequest(request.id, 'accepted', clock.now());
    }
  });

  afterEach(() => store.close());

  it('commits a direct message with the next seq and pushes it to both users', async () => {
    const first = await messaging.send('alice', text({ type: 'user', id: 'bob' }, 'hi'));
    const second = await messaging.send('bob', text({ type: 'user', id: 'alice' }, 'hey'));
    expect([first.seq, second.seq]).toEqual([1, 2]);
    expect(first.conversationId).toBe('d:alice:bob');
    const pushes = notifier.published('message:new');
    expect(pushes.map((p) => [p.rooms, p.messageId])).toEqual([
      [[userRoom('alice'), userRoom('bob')], first.id],
      [[userRoom('alice'), userRoom('bob')], second.id],
    ]);
  });

  it('returns the original message for a retried clientMsgId and stores nothing new', async () => {
    const first = await messaging.send('alice', text({ type: 'user', id: 'bob' }, 'once', 'c1'));
    const retry = await messaging.send('alice', text({ type: 'user', id: 'bob' }, 'once', 'c1'));
    expect(retry).toEqual(first);
    const { messages } = await messaging.history('bob', { conversationId: first.conversationId, limit: 50 });
    expect(messages).toHaveLength(1);
  });

  it('answers a retried send of a message its sender deleted for themselves without pushing it back to their devices', async () => {
    const first = await messaging.send('alice', text({ type: 'user', id: 'bob' }, 'gone for me', 'c2'));
    await messaging.delete('alice', { messageId: first.id });
    const pushed = notifier.published('message:new').length;
    const retry = await messaging.send('alice', text({ type: 'user', id: 'bob' }, 'gone for me', 'c2'));
    expect(retry).toMatchObject({ id: first.id, seq: first.seq, body: { text: 'gone for me' } });
    expect(notifier.published('message:new')).toHaveLength(pushed);
    // bob did not hide it: a retry of his own send is pushed again as before.
    const bobs = await messaging.send('bob', text({ type: 'user', id: 'alice' }, 'still here', 'c3'));
    await messaging.send('bob', text({ type: 'user', id: 'alice' }, 'still here', 'c3'));
    expect(notifier.published('message:new').filter((p) => p.messageId === bobs.id)).toHaveLength(2);
  });

  it('limits how fast one user may send, without touching the store when over the limit', async () => {
    const limited = new MessagingService({
      store,
      notifier,
      ids: sequenceIds('r'),
      clock,
      sendLimiter: new RateLimiter(clock, { ratePerSec: 1, burst: 2 }),
    });
    const { group } = await groups.create('alice', { name: 'g', memberIds: ['bob'] });
    await limited.send('alice', text({ type: 'group', id: group.id }, 'one'));
    await limited.send('alice', text({ type: 'group', id: group.id }, 'two'));
    await expect(limited.send('alice', text({ type: 'group', id: group.id }, 'three'))).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterMs: 1000,
    });
    await limited.send('bob', text({ type: 'group', id: group.id }, 'others are not affected'));
    const { messages } = await limited.history('bob', { conversationId: `g:${group.id}`, limit: 10 });
    expect(messages.map((m) => m.body.text)).toEqual(['one', 'two', 'others are not affected']);
  });

  it('refuses unknown users, messaging yourself, and group posts from non-members', async () => {
    await expect(messaging.send('alice', text({ type: 'user', id: 'nobody' }, 'x'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(messaging.send('alice', text({ type: 'user', id: 'alice' }, 'x'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const { group } = await groups.create('alice', { name: 'g', memberIds: ['bob'] });
    await expect(messaging.send('carol', text({ type: 'group', id: group.id }, 'x'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(messaging.send('carol', text({ type: 'group', id: 'missing' }, 'x'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(messaging.history('carol', { conversationId: `g:${group.id}`, limit: 10 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(notifier.published('message:new')).toHaveLength(0);
  });

  it('pushes group messages to the group room only', async () => {
    const { group } = await groups.create('alice', { name: 'g', memberIds: ['bob', 'carol'] });
    expect(notifier.events[0]).toEqual({ kind: 'join', userIds: ['alice', 'bob', 'carol'], room: groupRoom(group.id) });
    const m = await messaging.send('carol', text({ type: 'group', id: group.id }, 'hello all'));
    expect(notifier.published('message:new').map((p) => p.rooms)).toEqual([[groupRoom(group.id)]]);
    expect(m.conversationId).toBe(`g:${group.id}`);
  });

  it('syncs everything after the delivered cursor, paged, and after explicit cursors', async () => {
    for (let i = 1; i <= 5; i++) await messaging.send('alice', text({ type: 'user', id: 'bob' }, `m${i}`));
    await messaging.ackDelivered('bob', { conversationId: 'd:alice:bob', seq: 2 });
    const page = await messaging.sync('bob', { limit: 2 });
    expect(page.conversations).toEqual([{ conversationId: 'd:alice:bob', messages: expect.any(Array), hasMore: true, throughSeq: 4 }]);
    expect(at(page.conversations, 0, 'synced conversation').messages.map((m) => m.seq)).toEqual([3, 4]);
    const rest = await messaging.sync('bob', { since: { 'd:alice:bob': 4 }, limit: 10 });
    const after4 = at(rest.conversations, 0, 'synced conversation');
    expect(after4.messages.map((m) => m.seq)).toEqual([5]);
    expect(after4.hasMore).toBe(false);
    expect((await messaging.sync('bob', { since: { 'd:alice:bob': 5 }, limit: 10 })).conversations).toEqual([]);
  });

  it('pages history backwards from the newest', async () => {
    for (let i = 1; i <= 5; i++) await messaging.send('alice', text({ type: 'user', id: 'bob' }, `m${i}`));
    const newest = await messaging.history('bob', { conversationId: 'd:alice:bob', limit: 2 });
    expect(newest.messages.map((m) => m.seq)).toEqual([4, 5]);
    expect(newest.hasMore).toBe(true);
    const older = await messaging.history('bob', { conversationId: 'd:alice:bob', beforeSeq: 2, limit: 2 });
    expect(older.messages.map((m) => m.seq)).toEqual([1]);
    expect(older.hasMore).toBe(false);
  });

  it('marks read, pushes a receipt and clears unread in the conversation list', async () => {
    await messaging.send('alice', text({ type: 'user', id: 'bob' }, 'a'));
    const last = await messaging.send('alice', text({ type: 'user', id: 'bob' }, 'b'));
    const conversations = new ConversationService({ store });
    expect((await conversations.list('bob'))[0]).toMatchObject({ unread: 2, peer: { id: 'alice' }, lastMessage: { id: last.id } });
    await messaging.markRead('bob', { conversationId: last.conversationId, seq: 99 });
    expect(notifier.published('message:receipt').map((p) => p.payload)).toEqual([
      { conversationId: last.conversationId, userId: 'bob', readSeq: 2 },
    ]);
    expect(at(await conversations.list('bob'), 0, 'conversation').unread).toBe(0);
    expect((await conversations.list('alice'))[0]).toMatchObject({ unread: 0, peerReadSeq: 2 });
  });
});
