import http from 'node:http';
import type { AddressInfo } from 'node:net';
import webpush from 'web-push';
import type { PushRequest } from '@parley/domain';
import { PushServiceSimulator, waitFor, type SimulatedSubscription } from '@parley/testing';
import { PushDispatcher, type PushOutcomeLabel } from './push-dispatcher';
import { WebPushEngine } from './web-push-engine';
import { ManualTimers } from './testing/manual-timers';

const vapid = { ...webpush.generateVAPIDKeys(), subject: 'mailto:ops@parley.example' };

function requestTo(subscription: SimulatedSubscription, payload: object, extra: Partial<PushRequest> = {}): PushRequest {
  return { destination: { endpoint: subscription.endpoint, ...subscription.keys }, payload: JSON.stringify(payload), ttlSec: 86_400, urgency: 'normal', ...extra };
}

describe('WebPushEngine against the push-service simulator', () => {
  let service: PushServiceSimulator;
  let engine: WebPushEngine;

  beforeEach(async () => {
    service = await PushServiceSimulator.start();
    engine = new WebPushEngine({ vapid, allowPrivate: true });
  });
  afterEach(async () => {
    engine.close();
    await service.close();
  });

  it('delivers an encrypted push the service decrypts, with TTL, Urgency and Topic', async () => {
    const subscription = service.newSubscription({ applicationServerKey: vapid.publicKey });
    const payload = { type: 'message', conversationId: 'c1', messageId: 'm1', seq: 7, mention: false, url: '/?c=c1', text: 'héllo 👋' };
    const outcome = await engine.send(requestTo(subscription, payload, { urgency: 'high', topic: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }));
    expect(outcome).toEqual({ kind: 'sent' });
    expect(service.pushes(subscription.endpoint)).toEqual([
      { subscriptionId: expect.any(String), payload, headers: { ttl: '86400', urgency: 'high', topic: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } },
    ]);
    expect(service.rejected()).toEqual([]);
  });

  it.each([
    [410, {}, { kind: 'gone' }],
    [404, {}, { kind: 'gone' }],
    [429, { 'Retry-After': '7' }, { kind: 'retry', reason: 'HTTP 429', retryAfterMs: 7_000 }],
    [503, {}, { kind: 'retry', reason: 'HTTP 503' }],
    [400, {}, { kind: 'failed', reason: 'HTTP 400' }],
    [403, {}, { kind: 'failed', reason: 'HTTP 403' }],
    [413, {}, { kind: 'failed', reason: 'HTTP 413' }],
  ])('maps %i to its outcome', async (status, headers, outcome) => {
    const subscription = service.newSubscription();
    service.respondWith(subscription.endpoint, status, headers);
    await expect(engine.send(requestTo(subscription, { n: 1 }))).resolves.toEqual(outcome);
    expect(service.pushes()).toEqual([]);
  });

  it('answers retry on a refused connection and on a timeout, never throwing', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const subscription = service.newSubscription();
    const refused = { ...subscription, endpoint: `http://127.0.0.1:${port}/push/x` };
    await expect(engine.send(requestTo(refused, {}))).resolves.toEqual({ kind: 'retry', reason: 'ECONNREFUSED' });

    const slow = new WebPushEngine({ vapid, allowPrivate: true, timeoutMs: 100 });
    service.setLatency(2_000);
    await expect(slow.send(requestTo(subscription, {}))).resolves.toEqual({ kind: 'retry', reason: 'ETIMEDOUT' });
    slow.close();
  });

  it('answers failed for keys it cannot encrypt to', async () => {
    const subscription = service.newSubscription();
    const bad = { endpoint: subscription.endpoint, keys: { p256dh: 'AAAA', auth: subscription.keys.auth } };
    await expect(engine.send(requestTo(bad, {}))).resolves.toMatchObject({ kind: 'failed' });
    expect(service.requestCount).toBe(0);
  });

  describe('endpoint policy without allowPrivate', () => {
    it('refuses an http, loopback or private endpoint before connecting', async () => {
      const strict = new WebPushEngine({ vapid });
      const subscription = service.newSubscription();
      for (const endpoint of [subscription.endpoint, 'https://127.0.0.1:1/push/x', 'https://[::1]:1/push/x', 'https://10.0.0.1/push/x']) {
        await expect(strict.send(requestTo({ ...subscription, endpoint }, {}))).resolves.toMatchObject({ kind: 'failed' });
      }
      expect(service.requestCount).toBe(0);
      strict.close();
    });

    it('refuses a name that resolves to a private address at send time (DNS rebinding)', async () => {
      const resolved: string[] = [];
      const strict = new WebPushEngine({
        vapid,
        resolveHost: (hostname) => {
          resolved.push(hostname);
          return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
        },
      });
      const subscription = service.newSubscription();
      const outcome = await strict.send(requestTo({ ...subscription, endpoint: 'https://push.rebind.example/push/x' }, {}));
      expect(outcome).toEqual({ kind: 'failed', reason: 'endpoint resolves to a non-public address' });
      expect(resolved).toEqual(['push.rebind.example']);
      strict.close();
    });
  });

  describe('through the PushDispatcher', () => {
    it('a 410 makes the subscription gone: onGone is called once', async () => {
      const subscription = service.newSubscription();
      service.respondWith(subscription.endpoint, 410);
      const gone: string[] = [];
      const dispatcher = new PushDispatcher({ engine, onGone: (endpoint) => void gone.push(endpoint) });
      dispatcher.push([requestTo(subscription, { n: 1 })]);
      await dispatcher.flush();
      expect(gone).toEqual([subscription.endpoint]);
      expect(service.requestCount).toBe(1);
    });

    it('a 429 with Retry-After then 201: one delivery, after the wait the service asked for', async () => {
      const subscription = service.newSubscription();
      service.respondWith(subscription.endpoint, 429, { 'Retry-After': '7' }, 1);
      const timers = new ManualTimers();
      const outcomes: PushOutcomeLabel[] = [];
      const dispatcher = new PushDispatcher({ engine, timers, onOutcome: (o) => outcomes.push(o) });
      dispatcher.push([requestTo(subscription, { n: 1 })]);
      const timer = await waitFor('the retry timer', () => timers.pending[0]);
      expect(timer.ms).toBe(7_000);
      expect(service.pushes()).toEqual([]);
      timers.pending.splice(0).forEach((t) => t.run());
      await dispatcher.flush();
      expect(service.pushes(subscription.endpoint).map((p) => p.payload)).toEqual([{ n: 1 }]);
      expect(outcomes).toEqual(['retry', 'sent']);
      expect(service.requestCount).toBe(2);
    });

    it('1000 pushes at once all arrive exactly once, never more than 16 at a time', async () => {
      service.setLatency(5);
      const subscriptions = Array.from({ length: 10 }, () => service.newSubscription());
      const dispatcher = new PushDispatcher({ engine });
      const requests = Array.from({ length: 1000 }, (_, n) => requestTo(subscriptions[n % 10] as SimulatedSubscription, { n }));
      dispatcher.push(requests);
      await dispatcher.flush();
      const received = service.pushes().map((p) => (p.payload as { n: number }).n);
      expect(received).toHaveLength(1000);
      expect(new Set(received).size).toBe(1000);
      for (const subscription of subscriptions) expect(service.pushes(subscription.endpoint)).toHaveLength(100);
      expect(service.maxInFlight).toBeLessThanOrEqual(16);
      expect(service.maxInFlight).toBeGreaterThan(1);
      expect(service.rejected()).toEqual([]);
    }, 60_000);
  });
});
