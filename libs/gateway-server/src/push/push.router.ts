import { Router, type RequestHandler } from 'express';
import { ParleyError, parseOrThrow, pushSubscriptionInputSchema, pushUnsubscribeSchema } from '@parley/protocol';
import { claimsOf } from '../http/bearer-auth';
import type { PushSubscriptionService } from './push-subscription-service';

function requirePush(push: PushSubscriptionService | undefined): PushSubscriptionService {
  if (!push) throw new ParleyError('UNAVAILABLE', 'push notifications are not configured');
  return push;
}

/**
 * `GET /api/push/vapid-public-key`, without a bearer token: the key is
 * public (every push service and browser sees it) and a page may want it
 * before deciding to ask for permission.
 */
export function vapidKeyRouter(push: PushSubscriptionService | undefined): Router {
  const router = Router();
  router.get('/vapid-public-key', (_req, res) => {
    res.json({ publicKey: requirePush(push).vapidPublicKey() });
  });
  return router;
}

/** `POST` and `DELETE /api/push/subscriptions`, behind `auth` (the token's session owns the subscription). */
export function pushSubscriptionsRouter(push: PushSubscriptionService | undefined, auth: RequestHandler): Router {
  const router = Router();
  router.post('/subscriptions', auth, async (req, res) => {
    const input = parseOrThrow(pushSubscriptionInputSchema, req.body);
    res.status(201).json({ subscription: await requirePush(push).subscribe(claimsOf(req), input) });
  });
  router.delete('/subscriptions', auth, async (req, res) => {
    const { endpoint } = parseOrThrow(pushUnsubscribeSchema, req.body);
    await requirePush(push).unsubscribe(claimsOf(req), endpoint);
    res.status(204).end();
  });
  return router;
}
