import type { AdminCommand } from '@parley/protocol';

/** What a node last reported of itself (NodeStats), as the gateway keeps it. */
export interface NodeStatsRow {
  nodeId: string;
  /** True while the node's relay stream to this gateway is open. */
  connected: boolean;
  /** The gateway's clock when the report arrived. */
  receivedAt: number;
  sockets: number;
  users: number;
  messagesAccepted: number;
  deliveries: number;
  relayFramesIn: number;
  relayFramesOut: number;
  outboxDepth: number;
  ready: boolean;
  draining: boolean;
  /** Gateways the node has a ready relay stream to. */
  gateways: readonly string[];
  startedAt: number;
  /** The node's clock when it sent the report. */
  at: number;
  url: string;
}

/**
 * The fleet as one gateway sees it and the commands it can send its nodes:
 * implemented by the gateway over its relay streams (NodeStats in,
 * AdminCommand out), so it reaches every node connected to this gateway
 * (every node keeps a stream to every gateway).
 */
export interface FleetControl {
  /** The answering gateway's id (audit entries and the fleet view name it). */
  readonly gatewayId: string;
  nodeReports(): NodeStatsRow[];
  /** The nodes with a relay stream to this gateway now. */
  connectedNodes(): readonly string[];
  /**
   * Writes the command to the one node named; the nodes it was written to
   * (none: no such node connected). Tagged, so no id can mean every node.
   */
  sendAdmin(target: { node: string }, command: AdminCommand): string[];
  /** Writes the command to every connected node; the nodes it was written to. */
  broadcastAdmin(command: AdminCommand): string[];
}
