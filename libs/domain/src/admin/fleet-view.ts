import type { Fleet, FleetGateway, FleetNode } from '@parley/protocol';
import type { NodeStatsRow } from './fleet-control';

/** Reports missed before a node counts as stale (down, cut off from this gateway, or its clock stuck). */
export const STALE_AFTER_INTERVALS = 3;

/**
 * The fleet from the nodes' latest reports: each node's health, and the
 * gateways: this one, plus every gateway a node says it has a ready stream to.
 */
export function fleetView(rows: readonly NodeStatsRow[], selfGatewayId: string, now: number, statsIntervalMs: number): Fleet {
  const nodes = rows.map((row) => toFleetNode(row, now, statsIntervalMs)).sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  const gateways = new Map<string, FleetGateway>([[selfGatewayId, { gatewayId: selfGatewayId, self: true, nodes: [] }]]);
  for (const node of nodes) {
    if (node.health === 'stale') continue;
    for (const gatewayId of node.gateways) {
      let gateway = gateways.get(gatewayId);
      if (!gateway) gateways.set(gatewayId, (gateway = { gatewayId, self: false, nodes: [] }));
      gateway.nodes.push(node.nodeId);
    }
  }
  return { at: now, gateways: [...gateways.values()].sort((a, b) => Number(b.self) - Number(a.self) || a.gatewayId.localeCompare(b.gatewayId)), nodes };
}

function toFleetNode(row: NodeStatsRow, now: number, statsIntervalMs: number): FleetNode {
  return {
    nodeId: row.nodeId,
    url: row.url,
    health: healthOf(row, now, statsIntervalMs),
    sockets: row.sockets,
    users: row.users,
    messagesAccepted: row.messagesAccepted,
    deliveries: row.deliveries,
    relayFramesIn: row.relayFramesIn,
    relayFramesOut: row.relayFramesOut,
    outboxDepth: row.outboxDepth,
    gateways: [...row.gateways],
    startedAt: row.startedAt,
    reportedAt: row.at,
    receivedAt: row.receivedAt,
  };
}

function healthOf(row: NodeStatsRow, now: number, statsIntervalMs: number): FleetNode['health'] {
  if (!row.connected || now - row.receivedAt > STALE_AFTER_INTERVALS * statsIntervalMs) return 'stale';
  if (row.draining) return 'draining';
  return row.ready ? 'ready' : 'not-ready';
}
