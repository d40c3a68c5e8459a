import http from 'node:http';
import webpush from 'web-push';
import { PushServiceSimulator, type SimulatedSubscription } from './push-service-simulator';

const vapid = { ...webpush.generateVAPIDKeys(), subject: 'mailto:ops@parley.example' };

/** A push as web-push builds it (aes128gcm + VAPID), for `endpoint`'s subscription; `audienceOf` signs for another origin. */
function build(subscription: SimulatedSubscription, payload: string, options: { audienceOf?: string; keys?: typeof vapid } = {}) {
  const signedFor = { ...subscription, endpoint: options.audienceOf ?? subscription.endpoint };
  return webpush.generateRequestDetails(signedFor, payload, { vapidDetails: options.keys ?? vapid, TTL: 60, urgency: 'low', topic: 'chat1' });
}

/** POSTs like a push sender; answers the status and the Retry-After header. */
function send(endpoint: string, headers: Record<string, string | number>, body: Buffer | null): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request(endpoint, { method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] }));
    });
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

async function post(endpoint: string, headers: Record<string, string | number>, body: Buffer | null): Promise<number> {
  return (await send(endpoint, headers, body)).status;
}

describe('PushServiceSimulator', () => {
  let service: PushServiceSimulator;
  beforeEach(async () => {
    service = await PushServiceSimulator.start();
  });
  afterEach(() => service.close());

  it('hands out browser-shaped subscriptions on its own origin', () => {
    const subscription = service.newSubscription();
    expect(Object.keys(subscription).sort()).toEqual(['endpoint', 'keys']);
    expect(subscription.endpoint).toMatch(new RegExp(`^${service.origin}/push/[A-Za-z0-9_-]+$`));
    expect(Buffer.from(subscription.keys.p256dh, 'base64url')).toHaveLength(65);
    expect(Buffer.from(subscription.keys.auth, 'base64url')).toHaveLength(16);
  });

  it('accepts a correctly signed, encrypted push and records it decrypted', async () => {
    const subscription = service.newSubscription({ applicationServerKey: vapid.publicKey });
    const details = build(subscription, '{"hello":"world"}');
    expect(await post(subscription.endpoint, details.headers, details.body)).toBe(201);
    const [push] = await service.waitForPushes(1, subscription.endpoint);
    expect(push).toEqual({ subscriptionId: expect.any(String), payload: { hello: 'world' }, headers: { ttl: '60', urgency: 'low', topic: 'chat1' } });
    expect(service.rejected()).toEqual([]);
  });

  it('refuses a tampered JWT (claims changed, signature kept)', async () => {
    const subscription = service.newSubscription();
    const details = build(subscription, 'x');
    const authorization = String(details.headers['Authorization']);
    const [, token = '', key = ''] = /^vapid t=([^,]+), k=(.+)$/.exec(authorization) ?? [];
    const [head, claims, signature] = token.split('.');
    const forged = { ...JSON.parse(Buffer.from(claims ?? '', 'base64url').toString()), sub: 'mailto:attacker@evil.example' };
    const tampered = `vapid t=${head}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}, k=${key}`;
    expect(await post(subscription.endpoint, { ...details.headers, Authorization: tampered }, details.body)).toBe(401);
    expect(service.pushes()).toEqual([]);
    expect(service.rejected()).toEqual([{ subscriptionId: expect.any(String), status: 401, reason: 'bad JWT signature' }]);
  });

  it('refuses a JWT signed for another push service (wrong aud)', async () => {
    const subscription = service.newSubscription();
    const details = build(subscription, 'x', { audienceOf: 'https://push.elsewhere.example/push/abc' });
    expect(await post(subscription.endpoint, details.headers, details.body)).toBe(401);
    expect(service.rejected().map((r) => r.reason)).toEqual(['JWT aud is not this push service']);
  });

  it('refuses an expired JWT', async () => {
    const subscription = service.newSubscription();
    const details = build(subscription, 'x');
    const expired = webpush.getVapidHeaders(service.origin, vapid.subject, vapid.publicKey, vapid.privateKey, 'aes128gcm', Math.floor(Date.now() / 1000) - 60);
    expect(await post(subscription.endpoint, { ...details.headers, Authorization: expired.Authorization }, details.body)).toBe(401);
    expect(service.rejected().map((r) => r.reason)).toEqual(['JWT exp must be in the next 24 hours']);
  });

  it('refuses a push without VAPID, without TTL, with another encoding, or with another VAPID key than subscribed with', async () => {
    const subscription = service.newSubscription({ applicationServerKey: vapid.publicKey });
    const details = build(subscription, 'x');
    const { Authorization: _auth, ...unsigned } = details.headers;
    expect(await post(subscription.endpoint, unsigned, details.body)).toBe(401);
    const { TTL: _ttl, ...noTtl } = details.headers;
    expect(await post(subscription.endpoint, noTtl, details.body)).toBe(400);
    expect(await post(subscription.endpoint, { ...details.headers, 'Content-Encoding': 'aesgcm' }, details.body)).toBe(400);
    const other = build(subscription, 'x', { keys: { ...webpush.generateVAPIDKeys(), subject: vapid.subject } });
    expect(await post(subscription.endpoint, other.headers, other.body)).toBe(403);
    expect(service.rejected().map((r) => r.status)).toEqual([401, 400, 400, 403]);
    expect(service.pushes()).toEqual([]);
  });

  it('refuses a body it cannot decrypt with the subscription keys, and unknown subscriptions', async () => {
    const subscription = service.newSubscription();
    const stranger = service.newSubscription();
    const forStranger = build({ ...stranger, endpoint: subscription.endpoint }, 'secret');
    expect(await post(subscription.endpoint, forStranger.headers, forStranger.body)).toBe(400);
    expect(service.rejected()[0]?.reason).toMatch(/^undecryptable/);
    const details = build(subscription, 'x');
    expect(await post(`${service.origin}/push/nobody`, details.headers, details.body)).toBe(404);
    expect(service.pushes()).toEqual([]);
  });

  it('answers scripted statuses, then normally once they are used up', async () => {
    const subscription = service.newSubscription();
    service.respondWith(subscription.endpoint, 429, { 'Retry-After': '3' }, 2);
    const details = build(subscription, '"once"');
    expect(await send(subscription.endpoint, details.headers, details.body)).toEqual({ status: 429, retryAfter: '3' });
    expect(await post(subscription.endpoint, details.headers, details.body)).toBe(429);
    expect(await post(subscription.endpoint, details.headers, details.body)).toBe(201);
    expect(service.pushes(subscription.endpoint).map((p) => p.payload)).toEqual(['once']);
    service.respondWith(subscription.endpoint, 410);
    expect(await post(subscription.endpoint, details.headers, details.body)).toBe(410);
    expect(await post(subscription.endpoint, details.headers, details.body)).toBe(410);
    expect(service.requestCount).toBe(5);
  });
});
