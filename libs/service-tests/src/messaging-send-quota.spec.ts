import { SqliteStore } from '@parley/store';
import { MemoryPresence } from '@parley/presence';
import { MemoryThrottleFactory } from '@parley/limits';
import { ContentPolicy, GroupService, MessagingService, RateLimiter, type Store, type Throttle, type ThrottleDecision } from '@parley/domain';
import { RecordingNotifier, sequenceIds } from '@parley/domain/testing';
import { waitFor } from '@parley/testing';

/**
 * The cluster-wide per-user send limit (`sendQuota`): one counter per user
 * shared by every node's MessagingService, asked after the node's own limit.
 */
describe('MessagingService send quota', () => {
  let store: Store;
  let notifier: RecordingNotifier;
  let groupId: string;
  let bobsGroupId: string;
  const clock = { now: () => 1_700_000_000_000 };
  const text = (body: string) => ({ to: { type: 'group', id: groupId }, clientMsgId: body, kind: 'text', body: { text: body } }) as const;

  /** Two nodes' services over one store, sharing one counter (what Redis is in a cluster). */
  const twoNodes = (quota: Throttle, sendLimiter?: RateLimiter) =>
    ['a', 'b'].map((node) => new MessagingService({ store, notifier, ids: sequenceIds(`m${node}`), clock, sendQuota: quota, sendLimiter }));

  beforeEach(async () => {
    store = new SqliteStore({ filename: ':memory:' });
    await store.migrate();
    notifier = new RecordingNotifier();
    for (const id of ['alice', 'bob']) {
      await store.createUser({ id, username: id, displayName: id, passwordHash: 'x', createdAt: clock.now() });
    }
    const groups = new GroupService({ store, presence: new MemoryPresence({ clock }), notifier, ids: sequenceIds('g'), clock });
    groupId = (await groups.create('alice', { name: 'g' })).group.id;
    bobsGroupId = (await groups.create('bob', { name: 'b' })).group.id;
  });

  afterEach(() => store.close());

  it('holds one limit per user across nodes: the sixth send on either node is refused, nothing stored or pushed', async () => {
    const quota = new MemoryThrottleFactory().create({ name: 'user-send', points: 5, durationSec: 60 });
    const [nodeA, nodeB] = twoNodes(quota);
    if (!nodeA || !nodeB) throw new Error('two nodes');
    for (const i of [1, 2, 3]) await nodeA.send('alice', text(`a${i}`));
    for (const i of [4, 5]) await nodeB.send('alice', text(`b${i}`));
    const pushesBefore = notifier.published('message:new').length;

    for (const node of [nodeA, nodeB]) {
      await expect(node.send('alice', text(`over-${node === nodeA ? 'a' : 'b'}`))).rejects.toMatchObject({
        code: 'RATE_LIMITED',
        retryAfterMs: expect.any(Number),
      });
    }
    expect(notifier.published('message:new')).toHaveLength(pushesBefore);
    const { messages } = await nodeA.history('alice', { conversationId: `g:${groupId}`, limit: 50 });
    expect(messages.map((m) => m.body.text)).toEqual(['a1', 'a2', 'a3', 'b4', 'b5']);
    // Another user's allowance is their own.
    const bobs = { ...text('bob still sends'), to: { type: 'group', id: bobsGroupId } } as const;
    await expect(nodeB.send('bob', bobs)).resolves.toMatchObject({ senderId: 'bob' });
  });

  it('spends the quota only on sends that store a new message: retries and refused sends give it back', async () => {
    const quota = new MemoryThrottleFactory().create({ name: 'user-send', points: 2, durationSec: 60 });
    const [node] = twoNodes(quota);
    if (!node) throw new Error('a node');
    const first = await node.send('alice', text('a1'));
    // An honest client retrying after reconnects gets its stored message back each time.
    for (let i = 0; i < 5; i++) await expect(node.send('alice', text('a1'))).resolves.toEqual(first);
    // Sends refused after the quota was asked (not a member, cannot message oneself) cost nothing either.
    const intoBobsGroup = { ...text('not mine'), to: { type: 'group', id: bobsGroupId } } as const;
    for (let i = 0; i < 5; i++) await expect(node.send('alice', intoBobsGroup)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const toSelf = { ...text('me'), to: { type: 'user', id: 'alice' } } as const;
    await expect(node.send('alice', toSelf)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    // So the second new message still fits, and the third is over the limit of 2.
    await expect(node.send('alice', text('a2'))).resolves.toMatchObject({ body: { text: 'a2' } });
    await expect(node.send('alice', text('a3'))).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it("asks the shared counter only for what the node's own limit let through", async () => {
    const asked: string[] = [];
    const counting: Throttle = {
      consume: async (key): Promise<ThrottleDecision> => (asked.push(key), { ok: true, consumed: asked.length }),
      refund: async () => undefined,
      peek: async () => asked.length,
      reset: async () => undefined,
    };
    const [node] = twoNodes(counting, new RateLimiter(clock, { ratePerSec: 1, burst: 2 }));
    if (!node) throw new Error('a node');
    await node.send('alice', text('one'));
    await node.send('alice', text('two'));
    for (let i = 0; i < 10; i++) await expect(node.send('alice', text(`flood ${i}`))).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(asked).toEqual(['alice', 'alice']);
  });

  it('authorizes while the shared counter is asked, and stores only once it granted the point', async () => {
    const events: string[] = [];
    let grant: (decision: ThrottleDecision) => void = () => undefined;
    const slow: Throttle = {
      consume: () => (events.push('quota asked'), new Promise<ThrottleDecision>((resolve) => (grant = resolve))),
      refund: async () => void events.push('refund'),
      peek: async () => 0,
      reset: async () => undefined,
    };
    const watched: Store = Object.create(store, {
      getGroupPostContext: { value: (...args: Parameters<Store['getGroupPostContext']>) => (events.push('authorized'), store.getGroupPostContext(...args)) },
      appendMessage: { value: (...args: Parameters<Store['appendMessage']>) => (events.push('stored'), store.appendMessage(...args)) },
    });
    const node = new MessagingService({ store: watched, notifier, ids: sequenceIds('m'), clock, sendQuota: slow });
    const sent = node.send('alice', text('overlapped'));
    // The authorization read runs while the counter has not answered; nothing is stored before it does.
    await waitFor('the authorization read', () => events.includes('authorized'), Boolean);
    expect(events).toEqual(['quota asked', 'authorized']);
    grant({ ok: true, consumed: 1 });
    await expect(sent).resolves.toMatchObject({ body: { text: 'overlapped' } });
    expect(events).toEqual(['quota asked', 'authorized', 'stored']);

    // Refused by the counter: RATE_LIMITED even when the check also failed (not a member), and nothing stored.
    events.length = 0;
    const intoBobsGroup = node.send('alice', { ...text('not mine'), to: { type: 'group', id: bobsGroupId } });
    await waitFor('the authorization read', () => events.includes('authorized'), Boolean);
    grant({ ok: false, consumed: 6, retryAfterMs: 500 });
    await expect(intoBobsGroup).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 500 });
    expect(events).toEqual(['quota asked', 'authorized']);

    // Granted but refused by the check: FORBIDDEN, and the point given back.
    events.length = 0;
    const refused = node.send('alice', { ...text('still not mine'), to: { type: 'group', id: bobsGroupId } });
    await waitFor('the authorization read', () => events.includes('authorized'), Boolean);
    grant({ ok: true, consumed: 1 });
    await expect(refused).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(events).toEqual(['quota asked', 'authorized', 'refund']);
  });

  it('asks the quota first when a moderation service screens sends: a user over the quota never reaches it', async () => {
    const screened: string[] = [];
    const content = new ContentPolicy({ hook: { check: async (request) => (screened.push(request.text), { action: 'allow' }) } });
    const quota = new MemoryThrottleFactory().create({ name: 'user-send', points: 2, durationSec: 60 });
    const node = new MessagingService({ store, notifier, ids: sequenceIds('m'), clock, sendQuota: quota, content });
    await node.send('alice', text('one'));
    await node.send('alice', text('two'));
    for (let i = 0; i < 5; i++) await expect(node.send('alice', text(`flood ${i}`))).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(screened).toEqual(['one', 'two']);
  });
});
