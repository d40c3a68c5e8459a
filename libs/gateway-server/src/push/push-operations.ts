import { z } from 'zod';
import { pushSubscriptionInputSchema, pushSubscriptionViewSchema, pushUnsubscribeSchema, vapidPublicKeySchema } from '@parley/protocol';
import { BUG, INVALID_BODY, STORE_DOWN, UNAUTHORIZED, type RestOperation } from '../http/rest-operation';

const NOT_CONFIGURED = 'push notifications are not configured on this server (no VAPID keys)';

/** Web Push: the application server key and each sign-in session's subscription (push.router.ts). */
export const PUSH_OPERATIONS: readonly RestOperation[] = [
  {
    method: 'get',
    path: '/api/push/vapid-public-key',
    operationId: 'getVapidPublicKey',
    tag: 'push',
    summary: 'The VAPID public key to subscribe with (PushManager.subscribe `applicationServerKey`)',
    description: 'No bearer token: the key is public (every push service sees it with each push).',
    bearer: false,
    success: { status: 200, description: 'The key, base64url (an uncompressed P-256 point)', schema: vapidPublicKeySchema },
    errors: { UNAVAILABLE: NOT_CONFIGURED, INTERNAL: BUG },
  },
  {
    method: 'post',
    path: '/api/push/subscriptions',
    operationId: 'subscribePush',
    tag: 'push',
    summary: "Receive pushes on this device: the browser's PushSubscription.toJSON()",
    description:
      'The subscription belongs to the sign-in session of the token: it replaces the session’s earlier one, takes the endpoint over from any other session or user, and stops getting pushes when the session ends (sign-out, expiry, revocation). Pushes carry no message text unless the user turned previews on. The endpoint must be https on a host with public addresses only (unless the server allows private ones, PARLEY_PUSH_ALLOW_PRIVATE).',
    bearer: true,
    body: pushSubscriptionInputSchema,
    success: { status: 201, description: 'Stored for this session', schema: z.object({ subscription: pushSubscriptionViewSchema }) },
    errors: {
      INVALID_ARGUMENT: `${INVALID_BODY}; or \`endpoint\` is refused (not https, or its host resolves to a loopback, private or other non-public address)`,
      UNAUTHORIZED,
      UNAVAILABLE: `${NOT_CONFIGURED}; or ${STORE_DOWN}`,
      INTERNAL: BUG,
    },
  },
  {
    method: 'delete',
    path: '/api/push/subscriptions',
    operationId: 'unsubscribePush',
    tag: 'push',
    summary: 'Stop pushes to a device of yours (on sign-out, or when the user turns them off)',
    bearer: true,
    body: pushUnsubscribeSchema,
    success: { status: 204, description: 'Removed' },
    errors: {
      INVALID_ARGUMENT: INVALID_BODY,
      UNAUTHORIZED,
      NOT_FOUND: 'you have no subscription with this endpoint (one of someone else’s is not found either, and stays)',
      UNAVAILABLE: STORE_DOWN,
      INTERNAL: BUG,
    },
  },
];
