import type { FrameTrace } from '@parley/observability';
import type { Logger } from '@parley/util';
import type { RelayAuth } from './auth';

/** The gateway side of the relay as its callers see it: options, counters, events and own frames of RelayServer. */

export interface RelayServerOptions {
  /** Sent to nodes in Welcome; names this gateway in their logs. */
  gatewayId: string;
  /** Who may open a stream: see RelayAuth. */
  auth: RelayAuth;
  /** The relay's own bind address, internal only. @default '127.0.0.1' */
  host?: string;
  /** 0 binds a free port; `start()` returns the actual one and a restart reuses it. @default 0 */
  port?: number;
  /**
   * The host nodes are told to dial (PARLEY_ADVERTISE_HOST, as registered in
   * discovery). With a cluster secret a node's proof names the relay address
   * it dialed, and only this gateway's own are accepted: `<advertiseHost>:<port>`,
   * `<host>:<port>` unless `host` is a wildcard, loopback on the port (from
   * loopback peers only) and `audiences`. See RelayAudiences.
   */
  advertiseHost?: string;
  /** More `host:port` names nodes dial this relay by: DNS aliases, a load balancer (PARLEY_RELAY_AUDIENCES). */
  audiences?: readonly string[];
  logger?: Logger;
  /**
   * Frames queued toward one node beyond which Deliver frames to it are dropped
   * (counted in `stats().dropped`): a stuck node must not grow the gateway's
   * memory, and its clients resync from the store. @default 10_000
   */
  maxBufferedFrames?: number;
  /**
   * Distinct rooms of dropped Deliver frames remembered per node until its
   * queue drains (then sent as RoomsLost); past it the node is told every
   * room it announced. @default 10_000
   */
  maxLostRooms?: number;
  /**
   * A node's PeerUp is told to the others at most once per this window; a
   * reconnect inside it is told once more when it ends (a flapping node
   * must not make every other node replay to it over and over). @default 1_000
   */
  peerUpEveryMs?: number;
  /** @default 10_000 */
  keepaliveTimeMs?: number;
  /** @default 5_000 */
  keepaliveTimeoutMs?: number;
  /** How long `stop()` lets streams close before forcing. @default 2_000 */
  shutdownGraceMs?: number;
  /** @default proto/relay.proto at the repo root */
  protoPath?: string;
}

export interface RelayServerStats {
  /** Frames read from nodes, NodeStats reports not among them (see statsReports): an idle cluster moves neither. */
  framesIn: number;
  framesOut: number;
  publishes: number;
  delivers: number;
  /** Deliver frames not written because the target node's queue was full. */
  dropped: number;
  /** Deliver frames lost with their node's stream (batched in its last turn, or routed as it ended); the node resyncs every session when its stream breaks. */
  droppedClosed: number;
  /** Rooms named in RoomsLost frames (dropped Deliver frames reported to their node once its queue drained). */
  roomsLost: number;
  /** PublishAck frames sent (at most one per stream per tick). */
  acks: number;
  /** PeerUp frames sent (a node's stream opened, told to every other node). */
  peerUps: number;
  /** Publishes addressed to one node (to_node). */
  directed: number;
  /** Streams ended for a protocol violation. */
  rejected: number;
  /** Streams refused because their credentials did not prove a node. */
  unauthenticated: number;
  /** NodeStats reports kept (each overwrites its node's row). */
  statsReports: number;
  /** NodeStats reports refused (a number not finite or negative, a list or string too long). */
  statsRejected: number;
  /** AdminCommand frames written to nodes. */
  adminCommands: number;
  /** Node proofs remembered now against replay: verified ones only, so refused attempts never grow it. */
  rememberedProofs: number;
}

/** Lets tests and metrics follow sessions without polling. */
export interface RelayServerEvents {
  /** A node's Hello was applied (first connect or reconnect). */
  'node:connected': [nodeId: string];
  /** A node's stream ended and its interest was removed (not emitted for a replaced stream). */
  'node:disconnected': [nodeId: string];
  /** A node's interest changed (Hello or delta applied). */
  interest: [nodeId: string];
  /** A publish was routed to `targets` nodes. */
  publish: [originNode: string, targets: number];
}

/** A frame the gateway itself sends to nodes (see `deliverOwn`). */
export interface GatewayOwnFrame {
  rooms: readonly string[];
  event: string;
  /** Encoded once by the caller (JSON). */
  payload: Uint8Array;
  messageId: string;
}

/** One traced publish in the gateway: the span id its Delivers carry, and the end of its route. */
export interface RouteTrace {
  readonly spanId: string;
  /** Written toward these nodes. */
  routed(nodeIds: readonly string[]): void;
}

/**
 * Follows traced publishes through the gateway (see `traceRoutes`; a
 * GatewayRouteTracer of @parley/observability fits). Given only a trace
 * already validated; undefined: this gateway does not follow it.
 */
export interface RouteTracer {
  begin(trace: FrameTrace, messageId: string, originNode: string, event: string): RouteTrace | undefined;
}
