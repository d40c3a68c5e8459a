import crypto from 'node:crypto';
import { JwtTokenService } from '@parley/auth';
import { MemoryNodeRegistry } from '@parley/discovery';
import { systemClock, type PushRequest, type Pusher } from '@parley/domain';
import { MemoryPresence } from '@parley/presence';
import { SqliteStore } from '@parley/store';
import { waitFor } from '@parley/testing';
import { createLogger, createUlidGenerator } from '@parley/util-node';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { ImNode } from './im-node';
import { DEFAULT_PRESENCE_KEEPER } from './presence-keeper';
import { OneGatewayRelay } from './testing/one-gateway-relay';
import { testMetrics } from './testing/test-metrics';

const AWAY_AFTER_MS = 1_000;

/** A node given `push` pushes a stored message to a member who is away, through the pusher it was given. */
describe('an IM node with push', () => {
  const store = new SqliteStore({ filename: ':memory:' });
  const tokens = new JwtTokenService({ secret: crypto.randomBytes(48).toString('base64url') }, systemClock);
  const pushed: PushRequest[] = [];
  const pusher: Pusher = { push: (r) => pushed.push(...r), flush: async () => {}, close: async () => {} };
  const clients: ClientSocket[] = [];
  let node: ImNode;
  let url = '';

  beforeAll(async () => {
    await store.migrate();
    const now = Date.now();
    for (const id of ['alice', 'bob']) {
      await store.createUser({ id, username: id, displayName: id.toUpperCase(), passwordHash: 'x', createdAt: now });
      await store.updateProfile(id, { dmPolicy: 'anyone' });
      await store.createAuthSession({ id: `sess-${id}`, userId: id, refreshHash: `h-${id}`, createdAt: now, expiresAt: now + 86_400_000, userAgent: null, passwordHash: 'x' });
    }
    await store.savePushSubscription({ id: 'ps-bob', userId: 'bob', sessionId: 'sess-bob', endpoint: 'https://push.example/bob', p256dh: 'B'.repeat(87), auth: 'A'.repeat(22), createdAt: now });
    node = new ImNode(
      // Away after 1 s hidden: long enough to see a page just hidden not pushed at once, even on a slow host.
      { nodeId: 'im-push', host: '127.0.0.1', port: 0, drainSpreadMs: 10, drainTimeoutMs: 1_000, presence: DEFAULT_PRESENCE_KEEPER, push: { pusher, awayAfterMs: AWAY_AFTER_MS } },
      {
        store,
        presence: new MemoryPresence({ clock: systemClock }),
        registrar: new MemoryNodeRegistry(),
        tokens,
        clock: systemClock,
        ids: createUlidGenerator(),
        logger: createLogger({ name: 'test', level: 'silent' }),
        relay: new OneGatewayRelay(),
        metrics: testMetrics(),
        adminDrain: () => undefined,
      },
    );
    const { port } = await node.start();
    url = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await node.close();
    await store.close();
  });

  async function open(userId: string): Promise<ClientSocket> {
    const { token } = tokens.issue({ userId, username: userId, sessionId: `sess-${userId}` });
    const client = connect(url, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
    clients.push(client);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('connect_error', reject);
    });
    return client;
  }
  const ask = (c: ClientSocket, name: string, payload: object) => c.timeout(5000).emitWithAck(name, payload) as Promise<{ ok: boolean }>;
  let n = 0;
  const send = (c: ClientSocket, text: string) => ask(c, 'message:send', { to: { type: 'user', id: 'bob' }, clientMsgId: `c${++n}`, kind: 'text', body: { text } });

  it('pushes nothing while the recipient\'s page is shown, and one push once it was hidden long enough', async () => {
    const [alice, bob] = [await open('alice'), await open('bob')];
    expect(await send(alice, 'shown')).toMatchObject({ ok: true });
    expect(await ask(bob, 'presence:visibility', { visible: false })).toEqual({ ok: true });
    const hiddenAt = Date.now();
    expect(await send(alice, 'just hidden')).toMatchObject({ ok: true });
    // Pushes are decided in the next turn: give the batch its chance before looking.
    await new Promise((resolve) => setImmediate(resolve));
    if (Date.now() - hiddenAt < AWAY_AFTER_MS) expect(pushed).toEqual([]);
    await waitFor('the hide to last', () => Date.now() - hiddenAt, (ms) => ms > AWAY_AFTER_MS);
    expect(await send(alice, 'away now')).toMatchObject({ ok: true });
    await waitFor('one push', () => pushed.length, (count) => count >= 1);
    expect(pushed.map((r) => r.destination.endpoint)).toEqual(['https://push.example/bob']);
    expect(JSON.parse(pushed[0]?.payload ?? '{}')).toMatchObject({ type: 'message', conversationId: 'd:alice:bob' });
  });

  it('pushes to a recipient with no session online once they disconnected', async () => {
    const bob = clients[1];
    bob?.close();
    const before = pushed.length;
    const alice = clients[0] as ClientSocket;
    await waitFor('bob gone', async () => (await ask(alice, 'presence:query', { userIds: ['bob'] })) as unknown as { presence: { online: boolean }[] }, (a) => a.presence[0]?.online === false);
    expect(await send(alice, 'offline')).toMatchObject({ ok: true });
    await waitFor('another push', () => pushed.length, (count) => count === before + 1);
  });
});
