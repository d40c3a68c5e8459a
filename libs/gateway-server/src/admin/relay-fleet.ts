import type { FleetControl, NodeStatsRow } from '@parley/domain';
import { encodeAdminPayload, type AdminCommand } from '@parley/protocol';
import type { RelayServer } from '@parley/relay';

/** What the fleet needs of the gateway's relay server. */
export type RelayAdmin = Pick<RelayServer, 'nodeReports' | 'connectedNodes' | 'sendAdmin' | 'broadcastAdmin'>;

/**
 * The fleet as this gateway's relay sees it: the nodes' NodeStats reports
 * in, AdminCommand frames out (every node keeps a stream to every gateway,
 * so one gateway reaches the whole fleet).
 */
export class RelayFleet implements FleetControl {
  constructor(
    readonly gatewayId: string,
    private readonly relay: RelayAdmin,
  ) {}

  nodeReports(): NodeStatsRow[] {
    return this.relay.nodeReports().map(({ nodeId, connected, receivedAt, stats }) => ({ nodeId, connected, receivedAt, ...stats }));
  }

  connectedNodes(): readonly string[] {
    return this.relay.connectedNodes();
  }

  sendAdmin(target: { node: string }, command: AdminCommand): string[] {
    return this.relay.sendAdmin(target, encoded(command));
  }

  broadcastAdmin(command: AdminCommand): string[] {
    return this.relay.broadcastAdmin(encoded(command));
  }
}

function encoded(command: AdminCommand): { id: string; kind: string; payload: Uint8Array } {
  return { id: command.id, kind: command.kind, payload: encodeAdminPayload(command) };
}
