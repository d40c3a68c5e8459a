import type { RoomName } from '@parley/protocol';

/** A relayed event, as handed to the node that must emit it to its local sockets. */
export interface Deliver {
  /** Rooms of the publish that this node currently has interest in; never empty. */
  rooms: RoomName[];
  /** Socket event name; opaque to the relay, validated by the caller. */
  event: string;
  /** The payload exactly as the origin encoded it (JSON bytes). */
  payload: Buffer;
  messageId: string;
  originNode: string;
  /** The gateway that forwarded it. */
  gatewayId: string;
  /** True only for a frame that gateway originated itself (Deliver.from_gateway), never for a node's publish. */
  fromGateway: boolean;
  /** Set for a barrier publish: call once the frame is applied, so its origin can go on. */
  done?: () => void;
  /** The message's trace (Deliver.trace_id / trace_flags / span_id) as received: unvalidated, '' / 0 when untraced. */
  traceId: string;
  traceFlags: number;
  spanId: string;
}

/** What a node hands to the relay; the origin node is added by the gateway. */
export interface RelayPublish {
  rooms: readonly RoomName[];
  event: string;
  /** Encoded once by the caller (JSON), forwarded untouched. */
  payload: Uint8Array;
  messageId: string;
  /** A room every receiver is about to join (see Publish.grant_room in relay.proto). */
  grantRoom?: RoomName;
  /**
   * Frames with one key take one gateway, so they keep their order. A frame
   * that changes who is in room R must use R, like every publish to R.
   * @default grantRoom, else the rooms sorted and joined
   */
  routeKey?: string;
  /** Routes to this node only, for the rooms it announced (Publish.to_node): a replay to a node that came back late. */
  toNode?: string;
  /** A `relay:lost` for every node, whatever its interest (Publish.all_nodes): its origin forgot which rooms. */
  allNodes?: boolean;
  /** Follows the message (Publish.trace_id / trace_flags / span_id); unset: untraced. */
  traceId?: string;
  traceFlags?: number;
  spanId?: string;
}
