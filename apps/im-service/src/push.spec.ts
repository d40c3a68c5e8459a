import webpush from 'web-push';
import type { PushRequest } from '@parley/domain';
import { ParleyMetrics } from '@parley/observability';
import { PushServiceSimulator, type SimulatedSubscription } from '@parley/testing';
import { silentLogger } from '@parley/util';
import { nodePushOf } from './push';

function requestTo(subscription: SimulatedSubscription): PushRequest {
  return { destination: { endpoint: subscription.endpoint, ...subscription.keys }, payload: '{"type":"message"}', ttlSec: 60, urgency: 'normal' };
}

/** parley_push_total's series, outcome -> value. */
async function pushTotals(metrics: ParleyMetrics): Promise<Record<string, number>> {
  const { values } = await metrics.pushes.get();
  return Object.fromEntries(values.map((v) => [String(v.labels.outcome), v.value]));
}

describe('the IM service push dispatcher', () => {
  let service: PushServiceSimulator;

  beforeAll(async () => {
    service = await PushServiceSimulator.start();
  });

  afterAll(async () => {
    await service.close();
  });

  it('is not built without a push configuration', () => {
    const metrics = new ParleyMetrics({ defaultMetrics: false });
    expect(nodePushOf(null, { deletePushSubscriptionByEndpoint: async () => {} }, silentLogger, metrics)).toBeUndefined();
  });

  it('counts each outcome in parley_push_total and removes a gone subscription', async () => {
    const metrics = new ParleyMetrics({ defaultMetrics: false });
    const removed: string[] = [];
    const vapid = webpush.generateVAPIDKeys();
    const push = nodePushOf(
      { publicKey: vapid.publicKey, privateKey: vapid.privateKey, subject: 'mailto:ops@example.com', allowPrivate: true, awayAfterMs: 60_000 },
      { deletePushSubscriptionByEndpoint: async (endpoint) => void removed.push(endpoint) },
      silentLogger,
      metrics,
    );
    if (push === undefined) throw new Error('configured push gave no pusher');
    const live = service.newSubscription();
    const gone = service.newSubscription();
    service.respondWith(gone.endpoint, 410);
    try {
      push.pusher.push([requestTo(live), requestTo(gone)]);
      await push.pusher.flush();
      expect(service.pushes(live.endpoint)).toHaveLength(1);
      expect(service.rejected()).toEqual([]);
      expect(removed).toEqual([gone.endpoint]);
      expect(await pushTotals(metrics)).toEqual({ sent: 1, gone: 1 });
      expect((await metrics.text()).body).toContain('parley_push_total{outcome="sent"} 1');
    } finally {
      await push.pusher.close();
    }
  });
});
