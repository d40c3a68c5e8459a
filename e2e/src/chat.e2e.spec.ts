import { TEST_PASSWORD, at, startCluster, type Cluster } from '@parley/testing';
import type { Message } from '@parley/protocol';
import { TestUser, befriend, uniqueName } from './support/test-user';

jest.setTimeout(60_000);

describe('two IM nodes behind one gateway (MySQL, Redis, Consul API simulator)', () => {
  let cluster: Cluster;
  const users: TestUser[] = [];
  const user = async (prefix: string, node?: 0 | 1): Promise<TestUser> => {
    const u = await TestUser.register(cluster.gatewayUrl, prefix);
    users.push(u);
    if (node !== undefined) await u.connect(at(cluster.nodes, node, 'IM node').url);
    return u;
  };

  beforeAll(async () => {
    // A long first login backoff, so the guess that finds the gate shut does not depend on how fast the ones before it went.
    cluster = await startCluster({ nodes: 2, name: 'chat-e2e', gatewayEnv: { PARLEY_LOGIN_BACKOFF_BASE_SEC: '60' } });
  }, 90_000);

  afterEach(() => {
    for (const u of users.splice(0)) u.disconnect();
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('assigns nodes round-robin over the healthy nodes', async () => {
    const alice = await user('rr');
    const picks = new Set<string>();
    for (let i = 0; i < 4; i++) picks.add((await alice.assign()).nodeId);
    expect([...picks].sort()).toEqual(['im-1', 'im-2']);
    const { url } = await alice.assign();
    await alice.connect(url);
    expect(alice.socket?.connected).toBe(true);
  });

  it('delivers 1:1 messages both ways between users on different nodes', async () => {
    const alice = await user('alice', 0);
    const bob = await user('bob', 1);
    await befriend(alice, bob);

    const sent = await alice.sendText({ type: 'user', id: bob.id }, 'hi bob');
    expect(sent).toMatchObject({ senderId: alice.id, seq: 1, body: { text: 'hi bob' } });
    const [atBob] = await bob.waitForMessages(1);
    expect(atBob).toEqual(sent);

    const reply = await bob.sendText({ type: 'user', id: alice.id }, 'hi alice');
    expect(reply.seq).toBe(2);
    expect(reply.conversationId).toBe(sent.conversationId);
    const atAlice = await alice.waitForMessages(1, (m) => m.senderId === bob.id);
    expect(atAlice).toEqual([reply]);
  });

  it('pushes a message to every session of the recipient and of the sender, on any node', async () => {
    const alice = await user('multi-a', 0);
    const bob = await user('multi-b', 1);
    const bobPhone = TestUser.fromSession(bob);
    await bobPhone.connect(at(cluster.nodes, 0, 'IM node').url);
    const aliceTab = TestUser.fromSession(alice);
    await aliceTab.connect(at(cluster.nodes, 1, 'IM node').url);
    users.push(bobPhone, aliceTab);
    await befriend(alice, bob);

    const sent = await alice.sendText({ type: 'user', id: bob.id }, 'to all your devices');
    for (const session of [bob, bobPhone, aliceTab]) {
      expect(await session.waitForMessages(1)).toEqual([sent]);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(alice.received).toEqual([]); // the sending session got it in its ack
  });

  it('delivers a group spread over both nodes to every member once, in seq order', async () => {
    const a = await user('ga', 0);
    const b = await user('gb', 1);
    const c = await user('gc', 0);
    // Friends are added at once (strangers would be invited: group-invitations.e2e.spec.ts).
    await befriend(a, b);
    await befriend(a, c);
    const { group } = await a.ok('group:create', { name: 'trio', memberIds: [b.id, c.id] });
    expect(group.memberCount).toBe(3);

    const senders = [a, b, c, a, b, c, a, b, c];
    const acked: Message[] = [];
    for (const [i, s] of senders.entries()) acked.push(await s.sendText({ type: 'group', id: group.id }, `g${i}`));
    expect(acked.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);

    const { conversationId } = at(acked, 0, 'acked message');
    for (const member of [a, b, c]) {
      // The sending session has each of its own messages from the ack, not as a push.
      const expected = acked.filter((m) => m.senderId !== member.id);
      await member.waitForMessages(expected.length, (m) => m.conversationId === conversationId);
      await new Promise((r) => setTimeout(r, 200)); // a duplicate would arrive by now
      // Raw pushes from two nodes may interleave; putting them in seq order is
      // the client library's job (client-sdk.e2e). Each must arrive exactly once.
      const inGroup = member.received.filter((m) => m.conversationId === conversationId);
      expect([...inGroup].sort((x, y) => x.seq - y.seq)).toEqual(expected);
    }

    const info = await b.ok('group:info', { groupId: group.id });
    expect(info.members.map((m) => [m.user.id, m.role, m.online]).sort()).toEqual(
      [
        [a.id, 'owner', true],
        [b.id, 'member', true],
        [c.id, 'member', true],
      ].sort(),
    );
  });

  it('gives a user who was offline during 20 sends all 20, in order, through sync', async () => {
    const alice = await user('sync-a', 0);
    const bob = await user('sync-b', 1);
    await befriend(alice, bob);
    const first = await alice.sendText({ type: 'user', id: bob.id }, 'before');
    await bob.waitForMessages(1);
    await bob.ok('message:ack', { conversationId: first.conversationId, seq: first.seq });
    bob.disconnect();

    const sent: Message[] = [];
    for (let i = 0; i < 20; i++) sent.push(await alice.sendText({ type: 'user', id: bob.id }, `missed ${i}`));

    await bob.connect(at(cluster.nodes, 1, 'IM node').url);
    const synced = await bob.ok('sync', {});
    const conv = synced.conversations.find((c) => c.conversationId === first.conversationId);
    expect(conv?.messages.map((m) => m.id)).toEqual(sent.map((m) => m.id));
    expect(conv?.messages.map((m) => m.seq)).toEqual(sent.map((_, i) => i + 2));
    expect(conv?.hasMore).toBe(false);

    const paged = await bob.ok('sync', { since: { [first.conversationId]: 1 }, limit: 5 });
    const page = at(paged.conversations, 0, 'synced conversation');
    expect(page.messages.map((m) => m.seq)).toEqual([2, 3, 4, 5, 6]);
    expect(page.hasMore).toBe(true);

    const history = await bob.ok('history:fetch', { conversationId: first.conversationId, beforeSeq: 21, limit: 3 });
    expect(history.messages.map((m) => m.seq)).toEqual([18, 19, 20]);
    expect(history.hasMore).toBe(true);
  });

  it('stores a retried send once and answers the retry with the original ack', async () => {
    const alice = await user('idem-a', 0);
    const bob = await user('idem-b', 1);
    await befriend(alice, bob);
    const clientMsgId = uniqueName('retry');
    const first = await alice.sendText({ type: 'user', id: bob.id }, 'once', clientMsgId);
    const again = await alice.sendText({ type: 'user', id: bob.id }, 'once', clientMsgId);
    expect(again).toEqual(first);
    const history = await bob.ok('history:fetch', { conversationId: first.conversationId });
    expect(history.messages.map((m) => m.id)).toEqual([first.id]);
  });

  it('lists conversations with last message and unread counts', async () => {
    const alice = await user('list-a', 0);
    const bob = await user('list-b', 1);
    await befriend(alice, bob);
    await alice.sendText({ type: 'user', id: bob.id }, 'one');
    const two = await alice.sendText({ type: 'user', id: bob.id }, 'two');
    const before = await bob.ok('conversation:list', {});
    expect(before.conversations).toHaveLength(1);
    expect(before.conversations[0]).toMatchObject({ type: 'direct', unread: 2, peer: { id: alice.id }, lastMessage: { id: two.id } });
    await bob.ok('conversation:read', { conversationId: two.conversationId, seq: two.seq });
    const after = await bob.ok('conversation:list', {});
    expect(at(after.conversations, 0, 'conversation').unread).toBe(0);
  });

  it('refuses a group post from a non-member and writes nothing', async () => {
    const owner = await user('own', 0);
    const outsider = await user('out', 1);
    const { group } = await owner.ok('group:create', { name: 'closed' });
    const ack = await outsider.command('message:send', {
      to: { type: 'group', id: group.id },
      clientMsgId: uniqueName('x'),
      kind: 'text',
      body: { text: 'let me in' },
    });
    expect(ack).toEqual({ ok: false, error: expect.objectContaining({ code: 'FORBIDDEN' }) });
    const history = await owner.ok('history:fetch', { conversationId: `g:${group.id}` });
    expect(history.messages).toEqual([]);
    const peek = await outsider.command('history:fetch', { conversationId: `g:${group.id}` });
    expect(peek).toEqual({ ok: false, error: expect.objectContaining({ code: 'NOT_FOUND' }) });
  });

  it('answers invalid payloads with INVALID_ARGUMENT naming the field', async () => {
    const alice = await user('bad', 0);
    const ack = await alice.command('message:send', {
      to: { type: 'user', id: alice.id },
      clientMsgId: '',
      kind: 'text',
      body: { text: 'x' },
    });
    expect(ack).toEqual({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('clientMsgId') } });
    const wrongShape = await alice.command('sync', { since: 'yesterday' } as never);
    expect(wrongShape).toEqual({ ok: false, error: expect.objectContaining({ code: 'INVALID_ARGUMENT' }) });
    const raw = alice.socket as unknown as { emit(event: string, ...args: unknown[]): void };
    const unknown = await new Promise((resolve) => raw.emit('message:delete-everything', {}, resolve));
    expect(unknown).toEqual({ ok: false, error: expect.objectContaining({ code: 'INVALID_ARGUMENT' }) });
    const noPayload = await new Promise((resolve) => raw.emit('conversation:list', resolve));
    expect(noPayload).toEqual({ ok: true, conversations: [] });
    expect(alice.socket?.connected).toBe(true);
  });

  it('fails the handshake for a bad token', async () => {
    const { io } = await import('socket.io-client');
    for (const auth of [{ token: 'not-a-jwt' }, {}]) {
      const socket = io(at(cluster.nodes, 0, 'IM node').url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
      const err = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
      socket.close();
      expect(err.message).toBe('UNAUTHORIZED');
    }
  });

  describe('REST', () => {
    const post = (path: string, body: unknown) =>
      fetch(`${cluster.gatewayUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    it('logs in with the right password and refuses the wrong one with 401 INVALID_CREDENTIALS', async () => {
      const username = uniqueName('login');
      expect((await post('/api/auth/register', { username, password: TEST_PASSWORD })).status).toBe(201);
      const ok = await post('/api/auth/login', { username, password: TEST_PASSWORD });
      expect(ok.status).toBe(200);
      const { token } = (await ok.json()) as { token: string };
      const me = await fetch(`${cluster.gatewayUrl}/api/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(((await me.json()) as { user: { username: string } }).user.username).toBe(username);

      for (const creds of [{ username, password: 'wrong-password' }, { username: uniqueName('nobody'), password: 'whatever1' }]) {
        const res = await post('/api/auth/login', creds);
        expect(res.status).toBe(401);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(await res.json()).toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS' });
      }
    });

    it('answers 429 with Retry-After once a username has had too many failed logins, the right password included', async () => {
      const username = uniqueName('guessed');
      await post('/api/auth/register', { username, password: TEST_PASSWORD });
      // Ten free failures, then one guess through the backoff gate; the next waits, whatever the password.
      for (let i = 0; i < 11; i++) expect((await post('/api/auth/login', { username, password: `guess-${i}` })).status).toBe(401);
      const limited = await post('/api/auth/login', { username, password: TEST_PASSWORD });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await limited.json()).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    });

    it('rejects invalid registrations with 400 naming the field, and taken usernames with 409', async () => {
      const bad = await post('/api/auth/register', { username: 'x', password: TEST_PASSWORD });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ code: 'INVALID_ARGUMENT', detail: expect.stringContaining('username') });
      const username = uniqueName('taken');
      await post('/api/auth/register', { username, password: TEST_PASSWORD });
      const dup = await post('/api/auth/register', { username: username.toUpperCase(), password: TEST_PASSWORD });
      expect(dup.status).toBe(409);
      expect(await dup.json()).toMatchObject({ code: 'USERNAME_TAKEN' });
    });

    it('refuses protected endpoints without a valid token', async () => {
      for (const path of ['/api/me', '/api/nodes/assign', '/api/users?q=a']) {
        const res = await fetch(`${cluster.gatewayUrl}${path}`, { headers: { authorization: 'Bearer nope' } });
        expect(res.status).toBe(401);
        expect(await res.json()).toMatchObject({ code: 'UNAUTHORIZED' });
      }
    });
  });
});
