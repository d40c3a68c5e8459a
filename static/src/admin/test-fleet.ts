import type { Fleet, FleetNode } from '@parley/protocol';

/** Builders for the console specs: a node report and a fleet poll, with only the fields a test cares about. */
export function node(nodeId: string, fields: Partial<FleetNode> = {}): FleetNode {
  return {
    nodeId,
    url: `http://127.0.0.1:91${nodeId.slice(-2)}`,
    health: 'ready',
    sockets: 0,
    users: 0,
    messagesAccepted: 0,
    deliveries: 0,
    relayFramesIn: 0,
    relayFramesOut: 0,
    outboxDepth: 0,
    gateways: ['gw-1'],
    startedAt: 0,
    reportedAt: 1_000,
    receivedAt: 1_000,
    ...fields,
  };
}

export function fleet(atMs: number, nodes: FleetNode[]): Fleet {
  return { at: atMs, gateways: [{ gatewayId: 'gw-1', self: true, nodes: nodes.map((n) => n.nodeId) }], nodes };
}
