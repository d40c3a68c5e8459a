export { InterestTable } from './interest-table';
export { RelayServer } from './relay-server.grpc';
export type { RelayServerOptions, RelayServerStats, RelayServerEvents } from './relay-server.grpc';
export { RelayClient } from './relay-client.grpc';
export type { RelayClientOptions, RelayClientStats, RelayClientEvents, ConnectedGateway } from './relay-client.grpc';
export type { Deliver, RelayPublish } from './deliver';
export type { BackoffOptions } from './backoff';
export type { RelayLogger } from './logger';
export { DEFAULT_PROTO_PATH } from './proto';
