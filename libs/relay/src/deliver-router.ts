import { RELAY_LOST } from '@parley/protocol';
import type { Publish__Output } from './generated/parley/relay/v1/Publish';
import { cleanRooms, type InterestTable } from './interest-table';
import type { NodeSession } from './node-session';
import { deliverTraceOf } from './deliver-trace';
import type { GatewayOwnFrame, RouteTracer } from './relay-server.types';

/** What routing counts (RelayServerStats). */
export interface RouteCounters {
  publishes: number;
  delivers: number;
  directed: number;
}

/**
 * The gateway's forwarding: one Deliver per (publish, interested node), from
 * the interest table, to the nodes with a stream here. Owns no state of its
 * own: the server's table and sessions, read as they are at each publish.
 */
export class DeliverRouter {
  private tracer: RouteTracer | undefined;

  constructor(
    private readonly table: InterestTable,
    private readonly sessions: ReadonlyMap<string, NodeSession>,
    private readonly counters: RouteCounters,
  ) {}

  /** Follow traced publishes (see RelayServer.traceRoutes). */
  traceRoutes(tracer: RouteTracer): void {
    this.tracer = tracer;
  }

  /** Every node with a stream here but `originNode`, each for `rooms` (a `relay:lost` to all: interest does not matter). */
  private everyNodeBut(originNode: string, rooms: string[]): Map<string, string[]> {
    const routes = new Map<string, string[]>();
    if (rooms.length === 0) return routes;
    for (const nodeId of this.sessions.keys()) if (nodeId !== originNode) routes.set(nodeId, rooms);
    return routes;
  }

  /** Routes a node's publish; returns how many nodes it was routed to. */
  route(origin: NodeSession, publish: Publish__Output): number {
    const originNode = origin.nodeId;
    this.counters.publishes++;
    const reached: string[] = [];
    const written: NodeSession[] = [];
    const everyNode = publish.allNodes && publish.event === RELAY_LOST;
    const routes = everyNode ? this.everyNodeBut(originNode, cleanRooms(publish.rooms)) : this.table.route(publish.rooms, originNode);
    // A directed publish (a replay) reaches that node only, for the rooms it announced, never another.
    if (publish.toNode) {
      this.counters.directed++;
      for (const nodeId of [...routes.keys()]) if (nodeId !== publish.toNode) routes.delete(nodeId);
    }
    const granted = publish.grantRoom ? cleanRooms([publish.grantRoom]) : [];
    const { traceId, traceFlags, spanId, traced } = deliverTraceOf(publish, originNode, this.tracer);
    for (const [nodeId, rooms] of routes) {
      const target = this.sessions.get(nodeId);
      if (!target) continue;
      // The receiver will join the room; its own delta follows, possibly after
      // the next publish to that room, which must not miss it.
      if (granted.length > 0) this.table.apply(nodeId, granted, []);
      const deliver = { rooms, event: publish.event, payload: publish.payload, messageId: publish.messageId, originNode, barrier: publish.barrier, allNodes: everyNode, traceId, traceFlags, spanId };
      // A barrier (a removal) is never dropped: one dropped would still let
      // its origin count this node as having applied it. Rare, like removals.
      let sent = true;
      if (publish.barrier) target.writeAlways({ deliver });
      else sent = target.write({ deliver });
      if (sent) {
        this.counters.delivers++;
        written.push(target);
      }
      if (sent && publish.barrier) reached.push(nodeId);
    }
    // Written before any node's BarrierDone can come back through this gateway.
    if (publish.barrier) origin.writeAlways({ routed: { barrier: publish.barrier, nodes: reached } });
    // Routed (written toward its targets, or dropped and remembered for RoomsLost): the origin may forget it.
    if (publish.seq) origin.routed(publish.seq, written);
    traced?.routed(written.map((session) => session.nodeId));
    return routes.size;
  }

  /**
   * A frame the gateway originates, marked `from_gateway`, to every node
   * with interest in its rooms; returns the nodes it was written to.
   */
  deliverOwn(frame: GatewayOwnFrame): string[] {
    const reached: string[] = [];
    // No origin to skip: '' is never a node id (Hello requires one).
    for (const [nodeId, rooms] of this.table.route(frame.rooms, '')) {
      const target = this.sessions.get(nodeId);
      if (!target) continue;
      const deliver = { rooms, event: frame.event, payload: frame.payload, messageId: frame.messageId, originNode: '', fromGateway: true };
      // Never dropped for a full queue: a session:end revokes sessions, and no
      // origin would ever send it again. Rare (one per revocation).
      target.writeAlways({ deliver });
      this.counters.delivers++;
      reached.push(nodeId);
    }
    return reached;
  }
}
