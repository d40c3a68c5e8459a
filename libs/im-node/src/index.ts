export { DEFAULT_IM_NODE, ImNode, type ImNodeDeps, type ImNodeOptions } from './im-node';
export { servedWebOrigins } from './socket/origin-check';
export { DEFAULT_PRESENCE_KEEPER, type PresenceKeeperOptions } from './presence-keeper';
export type { RelayLink, RelayPublish, RelayedFrame, BarrierOutcome } from './relay/relay-link';
