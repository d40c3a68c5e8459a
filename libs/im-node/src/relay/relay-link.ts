import type { RoomName } from '@parley/protocol';

/** A frame arriving from another node through a gateway. */
export interface RelayedFrame {
  rooms: string[];
  event: string;
  payload: Uint8Array;
  messageId: string;
  originNode: string;
}

export interface RelayPublish {
  rooms: RoomName[];
  event: string;
  /** JSON, encoded once by the publisher. */
  payload: Uint8Array;
  messageId: string;
  /** A room every receiving node's sessions are about to join. */
  grantRoom?: RoomName;
}

/** What the IM node needs of its relay client (the gRPC engine in @parley/relay). */
export interface RelayLink {
  /** Hands the frame to one connected gateway; false when none is connected. */
  publish(frame: RelayPublish): boolean;
  /** Announces that this node gained (true) or lost (false) local sockets in a room. */
  setInterest(room: RoomName, interested: boolean): void;
  /** Sends interest changes now; resolves once every connected gateway applied them (bounded wait). */
  announce(timeoutMs?: number): Promise<void>;
  start(): void | Promise<void>;
  /** Fires whenever a stream to a gateway becomes ready (first connect and every reconnect). */
  on(event: 'gateway:ready', listener: (address: string, gatewayId: string) => void): unknown;
  /** Fires when a stream to a gateway is lost. */
  on(event: 'gateway:down', listener: (address: string) => void): unknown;
  stop(): Promise<void>;
}
