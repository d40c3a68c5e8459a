export { ParleyClient, type ClientEvents, type ClientState, type ParleyClientOptions } from './parley-client';
export { ConversationLog } from './conversation-log';
export { GatewayApi } from './gateway-api';
