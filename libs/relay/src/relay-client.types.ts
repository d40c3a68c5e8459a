import type { RoomName } from '@parley/protocol';
import type { BackoffOptions, Logger } from '@parley/util';
import type { RelayAuth } from './auth';
import type { Deliver, RelayPublish } from './deliver';
import type { NodeStatsInput } from './node-stats';

/**
 * Receives an operator's command as the gateway sent it (AdminCommand), not
 * yet validated: the node decodes it (decodeAdminCommand) like client input.
 */
export type AdminCommandHandler = (command: { id: string; kind: string; payload: Uint8Array }, gatewayId: string) => void;

/** The node side of the relay as its callers see it: options, counters and events of RelayClient. */

export interface RelayClientOptions {
  /** This node's id; one stream per gateway is kept under it. */
  nodeId: string;
  /** How this node proves itself to gateways (and checks that they are ours). */
  auth: RelayAuth;
  /** Gateway relay addresses, `host:port`. */
  gateways: readonly string[];
  /** Called once per relayed frame; the caller emits to `rooms` locally. Must not throw. Or set later with handleDeliveries. */
  onDeliver?: (deliver: Deliver) => void;
  logger?: Logger;
  /** Reconnect backoff of each gateway stream. @default RELAY_BACKOFF (100 ms doubling to 1 s) */
  backoff?: BackoffOptions;
  /** A stream with no Welcome after this long is dropped and retried. @default 5_000 */
  welcomeTimeoutMs?: number;
  /** @default 10_000 */
  keepaliveTimeMs?: number;
  /** @default 5_000 */
  keepaliveTimeoutMs?: number;
  /** Frames queued on one stream beyond which a publish tries another gateway, or is dropped. @default 10_000 */
  maxBufferedFrames?: number;
  /** How long `stop()` waits for each gateway to close the stream. @default 1_000 */
  stopGraceMs?: number;
  /** Relayed frames remembered to drop a second copy (a re-send or a replay). @default 20_000 */
  seenFrames?: number;
  /** How often this node reports its stats (NodeStats) on each ready stream. @default 2_000 */
  statsIntervalMs?: number;
  /** What the node reports of itself (or set later with reportStats); without it, no reports. */
  nodeStats?: () => NodeStatsInput | Promise<NodeStatsInput>;
  /** Where operators' commands go (or set later with handleAdminCommands). Must not throw. */
  onAdminCommand?: AdminCommandHandler;
  /** @default proto/relay.proto at the repo root */
  protoPath?: string;
}

export interface RelayClientStats {
  /** Relay frames read and written; NodeStats reports are not among them (see statsSent): an idle node moves neither. */
  framesIn: number;
  framesOut: number;
  published: number;
  /** Publishes refused because no gateway stream was ready (or all were full), or stranded with nobody to take them. */
  publishDropped: number;
  /** Unacknowledged publishes of a lost (or removed) gateway stream sent again through another one. */
  resent: number;
  /** Unacknowledged publishes of a lost stream that no other gateway could take: handed back ('publish:stranded'). */
  stranded: number;
  /** Publishes addressed to one node (to_node): replays to a node that came back late. */
  replayed: number;
  delivered: number;
  /** Deliver frames for rooms this node no longer has interest in. */
  ignored: number;
  /** Deliver frames dropped because this node had already applied them (a re-send or a replay). */
  deduplicated: number;
  /** Rooms gateways reported Deliver frames dropped for (RoomsLost), counted per report. */
  roomsLost: number;
  /** NodeStats frames written (one per ready stream per interval). */
  statsSent: number;
  /** AdminCommand frames received from welcomed streams (handed to the node to validate). */
  adminCommands: number;
  /** Publishes a link refused because as many as `maxBufferedFrames` of its publishes were unacknowledged. */
  unackedFull: number;
}

export interface RelayClientEvents {
  'gateway:ready': [address: string, gatewayId: string];
  'gateway:down': [address: string];
  /** A gateway dropped frames for these rooms (of ours) toward this node: their sessions should sync. */
  'rooms:lost': [rooms: RoomName[]];
  /** A gateway that refused a publish (full) has room again: whatever was kept may be sent now. */
  'publish:room': [address: string];
  /** `nodeId` opened a stream to the gateway at `address` (it may have missed frames published before). */
  'peer:up': [nodeId: string, address: string];
  /**
   * Publishes of a lost stream that the gateway never acknowledged and no
   * other gateway could take, oldest first: the listener owns them now
   * (without one they are dropped and counted).
   */
  'publish:stranded': [frames: RelayPublish[]];
}

export type BarrierOutcome = 'confirmed' | 'unconfirmed' | 'unsent';

export interface ConnectedGateway {
  address: string;
  gatewayId: string;
}
