import { checkPushEndpoint, type PushConfig } from '@parley/push';
import type { GatewayPush } from './push-subscription-service';

/** What a gateway needs of the push configuration (null: not configured, /api/push answers UNAVAILABLE). */
export function gatewayPushOf(config: PushConfig | null): GatewayPush | undefined {
  if (config === null) return undefined;
  return {
    publicKey: config.publicKey,
    checkEndpoint: (endpoint) => checkPushEndpoint(endpoint, { allowPrivate: config.allowPrivate }),
  };
}
