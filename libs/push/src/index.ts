// Push delivery: the Web Push engine, the Pusher that queues and retries, the endpoint policy, the VAPID configuration.
export { WebPushEngine, type WebPushEngineOptions } from './web-push-engine';
export type { VapidIdentity } from './vapid-authorization';
export { PushDispatcher, systemPushTimers, type PushDispatcherOptions, type PushOutcomeLabel, type PushTimers } from './push-dispatcher';
export { checkPushEndpoint, isNonPublicAddress, MAX_ENDPOINT_LENGTH, type EndpointPolicyOptions } from './endpoint-policy';
export { pushConfigFromEnv, pushEnv, DEFAULT_VAPID_SUBJECT, DEFAULT_PUSH_AWAY_AFTER_MS, type PushConfig, type PushConfigOptions } from './push-config';
