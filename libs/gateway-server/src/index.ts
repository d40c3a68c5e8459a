export { createHttpApp, type HttpAppDeps } from './http/http-app';
export { GatewayServer, type GatewayServerDeps, type GatewayListenOptions } from './gateway-server';
export { sendProblem } from './http/problem';
export { createGateway, type GatewayParts } from './create-gateway';
export { PushSubscriptionService, type GatewayPush } from './push/push-subscription-service';
export { gatewayPushOf } from './push/gateway-push-of';
