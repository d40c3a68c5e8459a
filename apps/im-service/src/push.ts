import type { NotificationStore, Pusher } from '@parley/domain';
import type { ParleyMetrics } from '@parley/observability';
import { PushDispatcher, WebPushEngine, type PushConfig } from '@parley/push';
import type { Logger } from '@parley/util';

/** The ImNode's `push` option and the dispatcher to close on shutdown, or undefined when push is not configured. */
export function nodePushOf(
  config: PushConfig | null,
  store: Pick<NotificationStore, 'deletePushSubscriptionByEndpoint'>,
  logger: Logger,
  metrics: Pick<ParleyMetrics, 'pushes'>,
): { pusher: Pusher; awayAfterMs: number } | undefined {
  if (config === null) return undefined;
  const engine = new WebPushEngine({
    vapid: { publicKey: config.publicKey, privateKey: config.privateKey, subject: config.subject },
    allowPrivate: config.allowPrivate,
  });
  const pusher = new PushDispatcher({
    engine,
    // A subscription the push service says is gone (404/410) is removed, whoever holds it.
    onGone: (endpoint) => store.deletePushSubscriptionByEndpoint(endpoint),
    onOutcome: (outcome) => metrics.pushes.inc({ outcome }),
    logger,
  });
  return { pusher, awayAfterMs: config.awayAfterMs };
}
