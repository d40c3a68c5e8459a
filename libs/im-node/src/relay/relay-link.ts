import type { AdminCommandHandler, NodeStatsInput } from '@parley/relay';
import type { RelayFrameEventName, RoomName } from '@parley/protocol';

/** A frame arriving from another node through a gateway, not yet validated. */
export interface RelayedFrame {
  rooms: string[];
  event: string;
  payload: Uint8Array;
  messageId: string;
  originNode: string;
  /** Set only on a frame a gateway originated itself (never on another node's publish). */
  fromGateway?: boolean;
  /** Set when the origin waits for this frame to be applied (a removal barrier): call once applied. */
  done?: () => void;
  /** The gateway that forwarded it. */
  gatewayId?: string;
  /** The message's trace as received, unvalidated (frameTraceOf checks it); '' / 0: untraced. */
  traceId?: string;
  traceFlags?: number;
  spanId?: string;
}

/** An outgoing frame: the same events and control kinds `decodeRelayFrame` accepts on the other side. */
export interface RelayPublish {
  rooms: RoomName[];
  event: RelayFrameEventName;
  /** JSON, encoded once by the publisher. */
  payload: Uint8Array;
  messageId: string;
  /** A room every receiving node's sessions are about to join. */
  grantRoom?: RoomName;
  /** Frames with one key take one gateway, in order (see ClusterNotifier for the keys). @default grantRoom, else the rooms */
  routeKey?: string;
  /** To this node only (a replay to a node that came back late). */
  toNode?: string;
  /** A `relay:lost` every node gets, whatever rooms it holds (see Publish.all_nodes). */
  allNodes?: boolean;
  /** Follows a traced message:send (see MessageTracer): W3C trace id, flags, the send span's id. */
  traceId?: string;
  traceFlags?: number;
  spanId?: string;
}

/** What became of a barrier publish (see publishConfirmed). */
export type BarrierOutcome = 'confirmed' | 'unconfirmed' | 'unsent';

/** What the IM node needs of its relay client (the gRPC engine in @parley/relay). */
export interface RelayLink {
  /** Hands the frame to one connected gateway (`via`, a gateway address, first); false when none could take it. */
  publish(frame: RelayPublish, via?: string): boolean;
  /**
   * Publishes and waits (at most `timeoutMs`) until every node it reached has
   * applied it: 'unsent' when no gateway took it, 'unconfirmed' on timeout.
   */
  publishConfirmed(frame: RelayPublish, timeoutMs: number): Promise<BarrierOutcome>;
  /** Where frames relayed from other nodes go; set once, after construction. */
  handleDeliveries(handler: (frame: RelayedFrame) => void): void;
  /** Announces that this node gained (true) or lost (false) local sockets in a room. */
  setInterest(room: RoomName, interested: boolean): void;
  /** Sends interest changes now; resolves once every connected gateway applied them (bounded wait). */
  announce(timeoutMs?: number): Promise<void>;
  /** What the node reports of itself to the gateways (NodeStats), every few seconds. Optional: test relays need not. */
  reportStats?(provider: () => Promise<NodeStatsInput>): void;
  /** Reports the node's stats now (its state changed), not at the next interval. */
  reportStatsNow?(): void;
  /** Where operators' commands from the gateways go (AdminCommand; only from gateways that proved the cluster secret). */
  handleAdminCommands?(handler: AdminCommandHandler): void;
  start(): void | Promise<void>;
  /** Fires whenever a stream to a gateway becomes ready (first connect and every reconnect). */
  on(event: 'gateway:ready', listener: (address: string, gatewayId: string) => void): unknown;
  /** Fires when a stream to a gateway is lost. */
  on(event: 'gateway:down', listener: (address: string) => void): unknown;
  /** A gateway dropped frames toward this node for these rooms (its queue was full): their sessions should sync. */
  on(event: 'rooms:lost', listener: (rooms: RoomName[]) => void): unknown;
  /** A gateway that refused a publish (full) has room again. */
  on(event: 'publish:room', listener: (address: string) => void): unknown;
  /** Another node (re)connected to the gateway at `address`. */
  on(event: 'peer:up', listener: (nodeId: string, address: string) => void): unknown;
  /** Frames a lost gateway never acknowledged that no other gateway could take, oldest first: the listener keeps them. */
  on(event: 'publish:stranded', listener: (frames: RelayPublish[]) => void): unknown;
  stop(): Promise<void>;
}
