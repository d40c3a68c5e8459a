import { RecordingNotifier } from '@parley/domain/testing';
import { userRoom, type Message } from '@parley/protocol';
import { TypingCoalescer, TypingCoalescingNotifier } from './typing-coalescer';

describe('TypingCoalescingNotifier', () => {
  let now = 1_700_000_000_000;
  const clock = { now: () => now };
  let inner: RecordingNotifier;
  let coalescer: TypingCoalescer;
  let notifier: TypingCoalescingNotifier;

  beforeEach(() => {
    inner = new RecordingNotifier();
    coalescer = new TypingCoalescer(clock, { windowMs: 2_000, maxKeys: 100 });
    notifier = new TypingCoalescingNotifier(inner, coalescer);
  });

  const rooms = [userRoom('alice'), userRoom('bob')];
  const typing = (conversationId: string, userId: string) => notifier.publish(rooms, 'typing', { conversationId, userId });
  const fannedOut = () => inner.published('typing').map((p) => p.payload);
  const message = (conversationId: string, senderId: string): Message => ({
    id: `m-${now}`,
    conversationId,
    seq: 1,
    senderId,
    kind: 'text',
    body: { text: 'hi' },
    clientMsgId: `c-${now}`,
    createdAt: now,
  });

  it('fans out one typing of a 1,000-event flood per window', () => {
    for (let i = 0; i < 1_000; i++) typing('d:alice:bob', 'alice');
    expect(fannedOut()).toEqual([{ conversationId: 'd:alice:bob', userId: 'alice' }]);
    now += 1_999;
    typing('d:alice:bob', 'alice');
    expect(fannedOut()).toHaveLength(1);
    now += 1;
    typing('d:alice:bob', 'alice');
    expect(fannedOut()).toHaveLength(2);
  });

  it("lets an honest typist's resends through (the web client's 2.5 s interval)", () => {
    for (let i = 0; i < 10; i++) {
      typing('d:alice:bob', 'alice');
      now += 2_500;
    }
    expect(fannedOut()).toHaveLength(10);
  });

  it('coalesces per conversation and per user, not across them', () => {
    typing('d:alice:bob', 'alice');
    typing('d:alice:bob', 'bob');
    typing('g:g1', 'alice');
    typing('d:alice:bob', 'alice');
    expect(fannedOut()).toEqual([
      { conversationId: 'd:alice:bob', userId: 'alice' },
      { conversationId: 'd:alice:bob', userId: 'bob' },
      { conversationId: 'g:g1', userId: 'alice' },
    ]);
  });

  it("reopens the sender's window with their message: the next typing shows at once", () => {
    typing('d:alice:bob', 'alice');
    notifier.publish(rooms, 'message:new', message('d:alice:bob', 'alice'), 'm1');
    typing('d:alice:bob', 'alice');
    // Bob's message does not reopen Alice's window.
    notifier.publish(rooms, 'message:new', message('d:alice:bob', 'bob'), 'm2');
    typing('d:alice:bob', 'alice');
    expect(fannedOut()).toHaveLength(2);
    expect(inner.published('message:new')).toHaveLength(2);
  });

  it('passes every other event and room operation through unchanged', async () => {
    notifier.publish(rooms, 'message:receipt', { conversationId: 'd:alice:bob', userId: 'bob', readSeq: 3 });
    notifier.publish(rooms, 'message:receipt', { conversationId: 'd:alice:bob', userId: 'bob', readSeq: 3 });
    notifier.joinRoom(['alice'], 'group:g1');
    await notifier.leaveRoom(['alice'], 'group:g1');
    await notifier.publishConfirmed(rooms, 'presence:update', { userId: 'alice', online: false, lastSeenAt: now });
    expect(inner.events.map((e) => e.kind)).toEqual(['publish', 'publish', 'join', 'leave', 'publish']);
  });

  it('remembers a bounded number of pairs and forgets expired ones as it goes', () => {
    for (let i = 0; i < 500; i++) typing(`g:g${i}`, 'alice');
    expect(coalescer.size).toBe(100);
    expect(fannedOut()).toHaveLength(500);
    now += 2_001;
    typing('g:new', 'alice');
    expect(coalescer.size).toBe(1);
  });

  it('fans out every typing when the window is 0', () => {
    const off = new TypingCoalescingNotifier(inner, new TypingCoalescer(clock, { windowMs: 0 }));
    for (let i = 0; i < 5; i++) off.publish(rooms, 'typing', { conversationId: 'd:alice:bob', userId: 'alice' });
    expect(fannedOut()).toHaveLength(5);
  });
});
