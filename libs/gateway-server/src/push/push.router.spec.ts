import { checkPushEndpoint } from '@parley/push';
import type { Store } from '@parley/domain';
import { sequenceIds } from '@parley/domain/testing';
import { ParleyError } from '@parley/protocol';
import { SqliteStore } from '@parley/store';
import { routeSpecApp } from '../testing/route-spec-app';
import { listenApp, type ListeningApp } from '../testing/listen-app';
import { PushSubscriptionService, type GatewayPush } from './push-subscription-service';

/** A browser's subscription keys: a 65-byte P-256 point and a 16-byte secret, base64url. */
const KEYS = { p256dh: Buffer.alloc(65, 4).toString('base64url'), auth: Buffer.alloc(16, 7).toString('base64url') };
const PUBLIC_KEY = Buffer.alloc(65, 9).toString('base64url');
const subscription = (endpoint: string) => ({ endpoint, expirationTime: null, keys: KEYS });

/**
 * The push routes on the real Express app over SQLite, as browsers call
 * them. Tokens are `<user>.<session>` (a stub session service); the endpoint
 * policy is the real one.
 */
describe('push routes', () => {
  let store: Store;
  const apps: ListeningApp[] = [];

  beforeAll(async () => {
    store = new SqliteStore({ filename: ':memory:' });
    await store.migrate();
    for (const id of ['alice', 'bob']) {
      await store.createUser({ id, username: id, displayName: id, passwordHash: 'x', createdAt: Date.now() });
      for (const n of [1, 2]) {
        await store.createAuthSession({ id: `${id}-s${n}`, userId: id, refreshHash: `${id}${n}`, createdAt: Date.now(), expiresAt: Date.now() + 3_600_000, userAgent: null, passwordHash: 'x' });
      }
    }
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await store.close();
  });

  /** The gateway's app; `push` as configured (undefined: no VAPID keys). */
  const start = async (push: GatewayPush | undefined): Promise<string> => {
    const sessions = {
      authenticate: async (token: string) => {
        const [userId, sessionId] = token.split('.');
        if (!userId || !sessionId?.startsWith(`${userId}-`)) throw new ParleyError('UNAUTHORIZED', 'bad token');
        return { userId, username: userId, sessionId };
      },
    };
    const app = routeSpecApp({
      sessions,
      push: new PushSubscriptionService({ store, push, ids: sequenceIds('ps'), clock: { now: () => Date.now() } }),
    });
    const listening = await listenApp(app);
    apps.push(listening);
    return listening.base;
  };
  const policy = (allowPrivate: boolean): GatewayPush => ({ publicKey: PUBLIC_KEY, checkEndpoint: (endpoint) => checkPushEndpoint(endpoint, { allowPrivate }) });

  const call = async (base: string, method: string, url: string, token?: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  /** Which of these endpoints the user holds: a DELETE of each (so they are gone afterwards), 204 meaning held. */
  const removeHeld = async (base: string, token: string, endpoints: readonly string[]): Promise<string[]> => {
    const held: string[] = [];
    for (const endpoint of endpoints) {
      const { status } = await call(base, 'DELETE', '/api/push/subscriptions', token, { endpoint });
      expect([204, 404]).toContain(status);
      if (status === 204) held.push(endpoint);
    }
    return held;
  };

  it('hands out the VAPID public key without a token, and answers 503 when push is not configured', async () => {
    const base = await start(policy(false));
    expect(await call(base, 'GET', '/api/push/vapid-public-key')).toEqual({ status: 200, body: { publicKey: PUBLIC_KEY } });
    const off = await start(undefined);
    const key = await call(off, 'GET', '/api/push/vapid-public-key');
    expect(key).toEqual({ status: 503, body: expect.objectContaining({ code: 'UNAVAILABLE', detail: 'push notifications are not configured' }) });
    expect((await call(off, 'POST', '/api/push/subscriptions', 'alice.alice-s1', subscription('https://push.example.com/a'))).body.code).toBe('UNAVAILABLE');
  });

  it('refuses subscribing without a valid token (401), with bad keys or endpoint (400), and a private endpoint by default', async () => {
    const base = await start(policy(false));
    const good = subscription('https://push.example.com/send/abc');
    expect((await call(base, 'POST', '/api/push/subscriptions', undefined, good)).status).toBe(401);
    expect((await call(base, 'POST', '/api/push/subscriptions', 'alice.bob-s1', good)).status).toBe(401);
    const badKeys = await call(base, 'POST', '/api/push/subscriptions', 'alice.alice-s1', { ...good, keys: { p256dh: 'short', auth: KEYS.auth } });
    expect(badKeys).toEqual({ status: 400, body: expect.objectContaining({ code: 'INVALID_ARGUMENT', detail: expect.stringMatching(/^keys\.p256dh: /) }) });
    const extra = await call(base, 'POST', '/api/push/subscriptions', 'alice.alice-s1', { ...good, userId: 'bob' });
    expect(extra.status).toBe(400);
    for (const endpoint of ['http://push.example.com/x', 'https://127.0.0.1/x', 'https://[::1]/x', 'https://10.1.2.3/x', 'https://169.254.169.254/latest', 'javascript:alert(1)', `https://push.example.com/${'a'.repeat(2100)}`]) {
      const refused = await call(base, 'POST', '/api/push/subscriptions', 'alice.alice-s1', subscription(endpoint));
      expect({ endpoint, status: refused.status, detail: refused.body.detail }).toEqual({ endpoint, status: 400, detail: expect.stringMatching(/^endpoint: /) });
    }
    // Allowed when the operator lifts the policy (tests, a push service on the LAN).
    const lan = await start(policy(true));
    expect((await call(lan, 'POST', '/api/push/subscriptions', 'alice.alice-s1', subscription('http://127.0.0.1:9/x'))).status).toBe(201);
    expect(await removeHeld(lan, 'alice.alice-s1', ['http://127.0.0.1:9/x'])).toEqual(['http://127.0.0.1:9/x']);
  });

  it("stores one subscription per session (a new one replaces it), takes an endpoint over, and deletes only the caller's own", async () => {
    const base = await start(policy(false));
    const post = (token: string, endpoint: string) => call(base, 'POST', '/api/push/subscriptions', token, subscription(endpoint));
    const del = (token: string | undefined, endpoint: string) => call(base, 'DELETE', '/api/push/subscriptions', token, { endpoint });
    const first = await post('bob.bob-s1', 'https://push.example.com/bob-1');
    expect(first).toEqual({ status: 201, body: { subscription: { id: expect.any(String), endpoint: 'https://push.example.com/bob-1', createdAt: expect.any(Number) } } });
    expect((await post('bob.bob-s1', 'https://push.example.com/bob-2')).status).toBe(201);
    // Someone else's endpoint: 404, and it stays (bob still holds it below).
    expect(await del('alice.alice-s2', 'https://push.example.com/bob-2')).toEqual({ status: 404, body: expect.objectContaining({ code: 'NOT_FOUND' }) });
    expect((await del(undefined, 'https://push.example.com/bob-2')).status).toBe(401);
    expect((await del('bob.bob-s1', 'not a url')).status).toBe(400);
    // bob-1 was replaced by the session's second subscription.
    expect((await del('bob.bob-s1', 'https://push.example.com/bob-1')).status).toBe(404);
    // Another session of bob's keeps its own.
    expect((await post('bob.bob-s2', 'https://push.example.com/bob-phone')).status).toBe(201);
    // The browser signs in as alice: the endpoint is hers now, bob holds it no more.
    expect((await post('alice.alice-s2', 'https://push.example.com/bob-2')).status).toBe(201);
    expect((await del('bob.bob-s1', 'https://push.example.com/bob-2')).status).toBe(404);
    expect((await del('alice.alice-s2', 'https://push.example.com/bob-2')).status).toBe(204);
    expect((await del('alice.alice-s2', 'https://push.example.com/bob-2')).status).toBe(404);
    expect((await del('bob.bob-s2', 'https://push.example.com/bob-phone')).status).toBe(204);
  });

  it('leaves exactly one subscription after a thousand POSTs at once from one session', async () => {
    const base = await start(policy(false));
    const statuses = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => call(base, 'POST', '/api/push/subscriptions', 'bob.bob-s2', subscription(`https://push.example.com/many/${i}`)).then((r) => r.status)),
    );
    expect(new Set(statuses)).toEqual(new Set([201]));
    const endpoints = Array.from({ length: 1000 }, (_, i) => `https://push.example.com/many/${i}`);
    expect(await removeHeld(base, 'bob.bob-s2', endpoints)).toHaveLength(1);
  });
});
