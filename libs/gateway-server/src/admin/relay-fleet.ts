import type { FleetControl, NodeStatsRow } from '@parley/domain';
import { encodeAdminPayload, type AdminCommand } from '@parley/protocol';
import type { RelayServer } from '@parley/relay';

/**
 * The fleet as this gateway's relay sees it: the nodes' NodeStats reports
 * in, AdminCommand frames out (every node keeps a stream to every gateway,
 * so one gateway reaches the whole fleet).
 */
export class RelayFleet implements FleetControl {
  constructor(
    readonly gatewayId: string,
    private readonly relay: Pick<RelayServer, 'nodeReports' | 'sendAdmin'>,
  ) {}

  nodeReports(): NodeStatsRow[] {
    return this.relay.nodeReports().map(({ nodeId, connected, receivedAt, stats }) => ({ nodeId, connected, receivedAt, ...stats }));
  }

  sendAdmin(target: string | 'all', command: AdminCommand): string[] {
    return this.relay.sendAdmin(target, { id: command.id, kind: command.kind, payload: encodeAdminPayload(command) });
  }
}
