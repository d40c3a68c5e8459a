import { io } from 'socket.io-client';
import type { Ack, CommandInput, CommandName, CommandResults } from '@parley/protocol';
import { directConversationId } from '@parley/protocol';
import { at, startCluster, type Cluster } from '@parley/testing';
import { TestUser, befriend, uniqueName } from './support/test-user';

jest.setTimeout(90_000);

/** Small limits, so floods hit them quickly (the defaults are in README's config table). */
const COMMAND_BURST = 30;
const USER_SEND_LIMIT = 6;
/** Two group:create (10 points each) per user per window, across the cluster. */
const USER_SOCIAL_LIMIT = 20;

/**
 * Socket limits on real processes (two IM nodes, MySQL, Redis): the
 * per-user command budget of a node, typing coalescing, the per-user send
 * and social limits shared by the nodes through Redis, and the handshake's
 * Origin check.
 * Each attack is refused while the honest path beside it still works.
 */
describe('socket limits', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({
      nodes: 2,
      name: 'socket-limits-e2e',
      nodeEnv: {
        PARLEY_COMMAND_BURST: String(COMMAND_BURST),
        PARLEY_COMMAND_RATE_PER_SEC: '5',
        PARLEY_USER_SEND_LIMIT: String(USER_SEND_LIMIT),
        // Longer than the test: the window cannot roll over in the middle of it.
        PARLEY_USER_SEND_WINDOW_SEC: '600',
        PARLEY_USER_SOCIAL_LIMIT: String(USER_SOCIAL_LIMIT),
        PARLEY_USER_SOCIAL_WINDOW_SEC: '600',
        // Longer than the test too: a flood, however slowly the node works through it, fans out once.
        PARLEY_TYPING_COALESCE_MS: '600000',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  const nodeUrl = (i: number): string => at(cluster.nodes, i, `node ${i}`).url;

  async function userOn(prefix: string, node: number): Promise<TestUser> {
    const user = await TestUser.register(cluster.gatewayUrl, prefix);
    await user.connect(nodeUrl(node));
    return user;
  }

  async function sessionOn(of: TestUser, node: number): Promise<TestUser> {
    const session = TestUser.fromSession(of);
    await session.connect(nodeUrl(node));
    return session;
  }

  /** Sends a command n times at once (not one after another) and resolves with every ack. */
  const flood = <K extends CommandName>(user: TestUser, name: K, payload: CommandInput<K>, n: number) =>
    Promise.all(Array.from({ length: n }, () => user.command(name, payload, 60_000)));

  const refusals = (acks: readonly Ack<object>[]) =>
    acks.flatMap((a) => (a.ok ? [] : [a.error]));

  /**
   * The honest client's way: a command refused RATE_LIMITED is sent again
   * once the `retryAfterMs` the node named is over, and then it passes.
   */
  async function afterTheWait<K extends CommandName>(user: TestUser, name: K, payload: CommandInput<K>): Promise<Ack<CommandResults[K]>> {
    const first = await user.command(name, payload);
    if (first.ok || first.error.code !== 'RATE_LIMITED') return first;
    expect(first.error.retryAfterMs).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, first.error.retryAfterMs));
    return user.command(name, payload);
  }

  const text = (to: { type: 'user' | 'group'; id: string }, body: string) =>
    ({ to, clientMsgId: uniqueName('c'), kind: 'text', body: { text: body } }) as const;

  it('a typing flood of 1,000 events reaches the other member once; a second user is served meanwhile', async () => {
    const flooder = await userOn('typist', 0);
    const other = await userOn('typist_other', 0);
    const member = await userOn('member', 1);
    await befriend(flooder, member);
    await befriend(other, member);
    // A direct conversation exists from its first message on (typing before it: NOT_FOUND).
    await flooder.sendText({ type: 'user', id: member.id }, 'hello');
    await other.sendText({ type: 'user', id: member.id }, 'hi');
    const conversationId = directConversationId(flooder.id, member.id);
    const otherConversation = directConversationId(other.id, member.id);

    const [acks, otherTyping, otherList] = await Promise.all([
      flood(flooder, 'typing', { conversationId }, 1_000),
      other.command('typing', { conversationId: otherConversation }),
      other.command('friend:list', {}),
    ]);
    const refused = refusals(acks);
    expect(refused.length).toBeGreaterThan(0);
    for (const error of refused) expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    expect(Math.min(...refused.map((e) => e.retryAfterMs ?? 0))).toBeGreaterThan(0);
    // Every accepted typing was acked ok, though few were fanned out.
    expect(acks.filter((a) => a.ok).length).toBeGreaterThan(0);
    expect(otherTyping).toEqual({ ok: true });
    expect(otherList.ok).toBe(true);
    await member.waitForEvent('typing', (t) => t.userId === other.id && t.conversationId === otherConversation);

    // A sentinel sent after the flood: once it arrived, every fan-out of the flood has too (one path, in order).
    const sentinel = await afterTheWait(flooder, 'message:send', text({ type: 'user', id: member.id }, 'done typing'));
    if (!sentinel.ok) throw new Error(`sentinel refused: ${sentinel.error.code}`);
    await member.waitForMessage((m) => m.id === sentinel.message.id);
    const fannedOut = member.eventsOf('typing').filter((t) => t.userId === flooder.id).length;
    expect(fannedOut).toBe(1);

    // The message reopened the typist's window: the next typing (after the budget's wait) shows at once.
    expect(await afterTheWait(flooder, 'typing', { conversationId })).toEqual({ ok: true });
    const typingFromFlooder = () => member.eventsOf('typing').filter((t) => t.userId === flooder.id).length;
    await member.waitForEvent('typing', () => typingFromFlooder() > fannedOut);
  });

  it('a command flood gets RATE_LIMITED with retryAfterMs; after that wait the user sends again', async () => {
    const flooder = await userOn('flooder', 1);
    const { group } = await flooder.ok('group:create', { name: 'mine' });
    const acks = await flood(flooder, 'friend:list', {}, 300);
    const refused = refusals(acks);
    expect(acks.filter((a) => a.ok).length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const error of refused) {
      expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
      expect(error.retryAfterMs).toBeGreaterThan(0);
    }

    const sent = await afterTheWait(flooder, 'message:send', text({ type: 'group', id: group.id }, 'back again'));
    expect(sent).toMatchObject({ ok: true, message: { senderId: flooder.id } });
  });

  it('one user sending through two nodes shares one send limit; the others are not affected', async () => {
    const sender = await userOn('sender', 0);
    const second = await sessionOn(sender, 1);
    const { group } = await sender.ok('group:create', { name: 'quota' });
    const bystander = await userOn('bystander', 1);
    const { group: bystanders } = await bystander.ok('group:create', { name: 'free' });

    const half = USER_SEND_LIMIT / 2;
    for (let i = 0; i < half; i++) await sender.ok('message:send', text({ type: 'group', id: group.id }, `via node 0 #${i}`));
    for (let i = 0; i < half; i++) await second.ok('message:send', text({ type: 'group', id: group.id }, `via node 1 #${i}`));

    // Each node alone has let through only half its own limit (60 at once): the shared counter refuses.
    for (const session of [sender, second]) {
      const over = await session.command('message:send', text({ type: 'group', id: group.id }, 'one too many'));
      expect(over).toMatchObject({
        ok: false,
        error: { code: 'RATE_LIMITED', message: expect.stringContaining('across your sessions'), retryAfterMs: expect.any(Number) },
      });
    }
    const { messages } = await sender.ok('history:fetch', { conversationId: `g:${group.id}` });
    expect(messages.filter((m) => m.kind === 'text').map((m) => m.body.text)).toEqual([
      ...Array.from({ length: half }, (_, i) => `via node 0 #${i}`),
      ...Array.from({ length: half }, (_, i) => `via node 1 #${i}`),
    ]);

    await expect(bystander.ok('message:send', text({ type: 'group', id: bystanders.id }, 'mine to send'))).resolves.toMatchObject({
      message: { senderId: bystander.id },
    });
  });

  it('one user creating groups through sockets on two nodes shares one social limit; others still create', async () => {
    const spammer = await userOn('spammer', 0);
    const sessions = [spammer, await sessionOn(spammer, 0), await sessionOn(spammer, 1), await sessionOn(spammer, 1)];
    // Each node's command budget (30 tokens) alone would let 3 creations (10 each) through per node.
    const acks = (await Promise.all(sessions.map((s, i) => flood(s, 'group:create', { name: `spam ${i}` }, 2)))).flat();
    expect(acks.filter((a) => a.ok)).toHaveLength(USER_SOCIAL_LIMIT / 10);
    const refused = refusals(acks);
    expect(refused).toHaveLength(acks.length - USER_SOCIAL_LIMIT / 10);
    for (const error of refused) expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    expect(refused.some((e) => /requests and invitations/.test(e.message))).toBe(true);
    // The node budget the flood spent comes back; then the list shows only the creations that passed.
    const listed = await afterTheWait(spammer, 'group:list', {});
    expect(listed.ok && listed.groups).toHaveLength(USER_SOCIAL_LIMIT / 10);

    const honest = await userOn('creator', 1);
    await expect(honest.ok('group:create', { name: 'a real group' })).resolves.toMatchObject({ group: { name: 'a real group' } });
  });

  describe('handshake Origin', () => {
    /** Resolves 'connected' or 'refused: <reason>'. */
    async function handshake(user: TestUser, transport: 'websocket' | 'polling', origin?: string): Promise<string> {
      const socket = io(nodeUrl(0), {
        auth: { token: user.auth.token },
        transports: [transport],
        reconnection: false,
        forceNew: true,
        extraHeaders: origin === undefined ? {} : { Origin: origin },
      });
      try {
        return await new Promise<string>((resolve) => {
          socket.once('connect', () => resolve('connected'));
          socket.once('connect_error', (err) => resolve(`refused: ${err.message}`));
        });
      } finally {
        socket.close();
      }
    }

    it.each(['websocket', 'polling'] as const)(
      'refuses a page on a foreign origin over %s; the web client origin and clients without Origin connect',
      async (transport) => {
        const user = await TestUser.register(cluster.gatewayUrl, `origin_${transport}`);
        const gatewayPort = new URL(cluster.gatewayUrl).port;
        await expect(handshake(user, transport, 'https://evil.example')).resolves.toMatch(/^refused/);
        await expect(handshake(user, transport, `http://127.0.0.1:${gatewayPort}.evil.example`)).resolves.toMatch(/^refused/);
        await expect(handshake(user, transport, cluster.gatewayUrl)).resolves.toBe('connected');
        await expect(handshake(user, transport, `http://localhost:${gatewayPort}`)).resolves.toBe('connected');
        await expect(handshake(user, transport)).resolves.toBe('connected');
      },
    );
  });
});
