import mysql, { type RowDataPacket } from 'mysql2/promise';
import { z } from 'zod';
import { pushPayloadSchema, pushSubscriptionViewSchema, type Message, type PushPayload } from '@parley/protocol';
import { PushServiceSimulator, TEST_PASSWORD, pushTestEnv, waitFor, type ReceivedPush, type SimulatedSubscription } from '@parley/testing';
import { World, type Member } from '../rich-messages/rich-world';

jest.setTimeout(120_000);

/** How long every session of a user must be hidden before the user counts as away (PARLEY_PUSH_AWAY_AFTER_MS). */
const AWAY_AFTER_MS = 1_000;

/**
 * Web Push end to end: a gateway and two IM nodes (MySQL, Redis) with VAPID
 * keys, pushing to a local push service that checks each request's VAPID JWT
 * and decrypts it with the subscription's keys. Users subscribe through the
 * REST API as the web client does, senders and recipients sit on different
 * nodes. "No push" is proven by a later marker push arriving alone: never by
 * waiting a while.
 */
describe('push notifications', () => {
  let world: World;
  let simulator: PushServiceSimulator;
  let db: mysql.Connection;

  beforeAll(async () => {
    simulator = await PushServiceSimulator.start();
    const env = pushTestEnv(AWAY_AFTER_MS);
    world = await World.start('push-e2e', { gatewayEnv: env, nodeEnv: env });
    db = await mysql.createConnection(world.cluster.mysqlUrl);
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await world?.stop();
    await simulator?.close();
    // A correct sender never makes a request the push service refuses (bad JWT, bad encryption).
    expect(simulator?.rejected() ?? []).toEqual([]);
  });

  const api = async (method: string, path: string, token: string | undefined, body?: unknown): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${world.cluster.gatewayUrl}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  /** A new subscription of the push service, stored for the session of `token` through the REST API. */
  const subscribe = async (token: string): Promise<SimulatedSubscription> => {
    const subscription = simulator.newSubscription();
    const res = await api('POST', '/api/push/subscriptions', token, { ...subscription, expirationTime: null });
    expect(res.status).toBe(201);
    expect(z.object({ subscription: pushSubscriptionViewSchema }).parse(res.body).subscription.endpoint).toBe(subscription.endpoint);
    return subscription;
  };

  /** Disconnects `member` and waits until `observer` sees them offline (no live session: away at once). */
  const goOffline = async (member: Member, observer: Member): Promise<void> => {
    member.disconnect();
    await waitFor(`${member.user.auth.user.username} offline`, async () => (await observer.ok('presence:query', { userIds: [member.id] })).presence[0]?.online, (online) => online === false);
  };

  const payloadOf = (push: ReceivedPush): PushPayload => pushPayloadSchema.parse(push.payload);
  const messageIds = (subscription: SimulatedSubscription): string[] => simulator.pushes(subscription.endpoint).map((p) => payloadOf(p).messageId);
  /** Waits until the push of `message` reached `subscription`; answers every push it got by then. */
  const waitForPushOf = (subscription: SimulatedSubscription, message: Message): Promise<ReceivedPush[]> =>
    waitFor(`the push of ${message.id}`, () => simulator.pushes(subscription.endpoint), (pushes) => pushes.some((p) => payloadOf(p).messageId === message.id));

  it('pushes a direct message to an offline subscriber exactly once, without its text unless previews are on', async () => {
    const { alice, bob, toBob } = await world.pair('pd');
    const key = await api('GET', '/api/push/vapid-public-key', undefined);
    expect(key).toEqual({ status: 200, body: { publicKey: expect.stringMatching(/^[A-Za-z0-9_-]{87}$/) } });
    const device = await subscribe(bob.user.auth.token);
    await goOffline(bob, alice);

    const secret = await alice.send(toBob, 'the secret plan');
    const [first] = await waitForPushOf(device, secret);
    expect(payloadOf(first as ReceivedPush)).toEqual({
      type: 'message',
      conversationId: secret.conversationId,
      messageId: secret.id,
      seq: secret.seq,
      mention: false,
      url: `/?c=${encodeURIComponent(secret.conversationId)}`,
    });
    expect(JSON.stringify(first?.payload)).not.toContain('secret plan');
    expect(first?.headers).toEqual({ ttl: '86400', urgency: 'high', topic: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/) });
    // A later message's push arrives alone after it: the first message was pushed once.
    const marker = await alice.send(toBob, 'marker');
    await waitForPushOf(device, marker);
    expect(messageIds(device)).toEqual([secret.id, marker.id]);

    // Previews on (from any device): the sender's name and the text.
    await bob.connect(1);
    await bob.ok('settings:update', { previews: true });
    await goOffline(bob, alice);
    const shown = await alice.send(toBob, 'see you at noon');
    const pushes = await waitForPushOf(device, shown);
    expect(payloadOf(pushes.at(-1) as ReceivedPush)).toEqual(
      expect.objectContaining({ messageId: shown.id, title: alice.user.auth.user.displayName, text: 'see you at noon' }),
    );
    expect(messageIds(device)).toEqual([secret.id, marker.id, shown.id]);
  });

  it('pushes nothing for a muted group (notify none, or muted until later) while an unmuted one pushes', async () => {
    const alice = await world.member('pma', 0);
    const bob = await world.member('pmb', 1);
    const silent = await world.group(alice, [bob], 'silent');
    // Friends now: the other groups take bob at once.
    const groupWithBob = async (name: string) => {
      const { group } = await alice.ok('group:create', { name, memberIds: [bob.id] });
      return { conversationId: `g:${group.id}`, to: { type: 'group' as const, id: group.id } };
    };
    const snoozed = await groupWithBob('snoozed');
    const control = await groupWithBob('control');
    await bob.ok('conversation:settings', { conversationId: silent.conversationId, notify: 'none' });
    await bob.ok('conversation:settings', { conversationId: snoozed.conversationId, mutedUntil: Date.now() + 3_600_000 });
    await bob.ok('settings:update', { previews: true });
    const device = await subscribe(bob.user.auth.token);
    await goOffline(bob, alice);

    await alice.send(silent.to, 'nobody hears this');
    await alice.send(snoozed.to, 'nor this');
    const heard = await alice.send(control.to, 'but this');
    await waitForPushOf(device, heard);
    expect(messageIds(device)).toEqual([heard.id]);
    // A group's preview: its name, and the sender's name before the text; normal urgency.
    const [push] = simulator.pushes(device.endpoint);
    expect(payloadOf(push as ReceivedPush)).toEqual(expect.objectContaining({ title: 'control', text: `${alice.user.auth.user.displayName}: but this`, mention: false }));
    expect(push?.headers.urgency).toBe('normal');
  });

  it('pushes, in a mentions-only group, a message that mentions the user and not one that does not', async () => {
    const alice = await world.member('pna', 0);
    const bob = await world.member('pnb', 1);
    const carol = await world.member('pnc', 0);
    const busy = await world.group(alice, [bob, carol], 'busy');
    await bob.ok('conversation:settings', { conversationId: busy.conversationId, notify: 'mentions' });
    const device = await subscribe(bob.user.auth.token);
    await goOffline(bob, alice);

    await alice.send(busy.to, 'lunch anyone?');
    await alice.send(busy.to, 'carol, lunch?', { mentions: [carol.id] });
    const mention = await alice.send(busy.to, 'bob, the report', { mentions: [bob.id] });
    await waitForPushOf(device, mention);
    const all = await alice.send(busy.to, 'everyone: release at five', { mentions: ['@all'] });
    await waitForPushOf(device, all);
    expect(messageIds(device)).toEqual([mention.id, all.id]);
    expect(simulator.pushes(device.endpoint).map((p) => [payloadOf(p).mention, p.headers.urgency])).toEqual([
      [true, 'high'],
      [true, 'high'],
    ]);
  });

  it('removes a subscription the push service answers 410 for: the next message makes no request to it', async () => {
    const { alice, bob, toBob } = await world.pair('pg');
    const gone = await subscribe(bob.user.auth.token);
    // The same user on a second device (another sign-in) keeps getting pushes: the marker.
    const other = await subscribe(await signIn(bob));
    simulator.respondWith(gone.endpoint, 410);
    await goOffline(bob, alice);
    const before = simulator.requestCount;

    const first = await alice.send(toBob, 'one');
    await waitForPushOf(other, first);
    await waitFor('the gone subscription removed', () => subscriptionRows(gone.endpoint), (rows) => rows === 0);
    expect(simulator.requestCount).toBe(before + 2);
    const second = await alice.send(toBob, 'two');
    await waitForPushOf(other, second);
    expect(simulator.requestCount).toBe(before + 3);
    expect(simulator.pushes(gone.endpoint)).toEqual([]);
  });

  it('pushes to a user whose page was hidden longer than the threshold, not while it is visible', async () => {
    const { alice, bob, toBob } = await world.pair('ph');
    const device = await subscribe(bob.user.auth.token);

    await bob.ok('presence:visibility', { visible: true });
    const seen = await alice.send(toBob, 'while you look');
    await bob.user.waitForMessage((m) => m.id === seen.id);
    await bob.ok('presence:visibility', { visible: false });
    const hiddenAt = Date.now();
    await waitFor('the page hidden past the threshold', () => Date.now() - hiddenAt, (ms) => ms > AWAY_AFTER_MS + 250);
    const away = await alice.send(toBob, 'while you are away');
    await waitForPushOf(device, away);
    expect(messageIds(device)).toEqual([away.id]);
  });

  it('pushes nothing to the subscription of a session that signed out', async () => {
    const { alice, bob, toBob } = await world.pair('pl');
    const laptopToken = await signIn(bob);
    const laptop = await subscribe(laptopToken);
    const phone = await subscribe(bob.user.auth.token);
    expect((await api('POST', '/api/auth/logout', laptopToken)).status).toBe(204);
    await goOffline(bob, alice);

    const message = await alice.send(toBob, 'after the sign-out');
    await waitForPushOf(phone, message);
    const marker = await alice.send(toBob, 'marker');
    await waitForPushOf(phone, marker);
    expect(simulator.pushes(laptop.endpoint)).toEqual([]);
    // Its subscription went with the session: deleting it is NOT_FOUND for bob's other session.
    expect((await api('DELETE', '/api/push/subscriptions', bob.user.auth.token, { endpoint: laptop.endpoint })).status).toBe(404);
  });

  it('keeps one subscription per session when a thousand subscribes of one session race (MySQL)', async () => {
    const member = await world.member('pr', 0);
    const subscriptions = Array.from({ length: 1000 }, () => simulator.newSubscription());
    const statuses = await Promise.all(
      subscriptions.map(async (subscription) => (await api('POST', '/api/push/subscriptions', member.user.auth.token, subscription)).status),
    );
    // On a loaded host some wait too long for a database connection: 503, nothing stored (the client retries).
    expect([...new Set(statuses)].filter((status) => status !== 201 && status !== 503)).toEqual([]);
    const stored = subscriptions.filter((_, i) => statuses[i] === 201).map((s) => s.endpoint);
    expect(stored.length).toBeGreaterThan(0);
    const [rows] = await db.query<RowDataPacket[]>('SELECT endpoint FROM push_subscriptions WHERE user_id = ?', [member.id]);
    expect(rows).toHaveLength(1);
    expect(stored).toContain(rows[0]?.endpoint);
  });

  /** A second sign-in (device) of the member's account: its access token. */
  const signIn = async (member: Member): Promise<string> => {
    const res = await api('POST', '/api/auth/login', undefined, { username: member.user.auth.user.username, password: TEST_PASSWORD });
    expect(res.status).toBe(200);
    return z.object({ token: z.string() }).parse(res.body).token;
  };

  const subscriptionRows = async (endpoint: string): Promise<number> => {
    const [rows] = await db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM push_subscriptions WHERE endpoint = ?', [endpoint]);
    return Number(rows[0]?.n);
  };
});
