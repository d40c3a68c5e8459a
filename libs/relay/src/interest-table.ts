/**
 * Which node wants which room, kept both ways so a publish is routed by
 * looking up only its own rooms. Pure data: the gateway owns one per process.
 */
export class InterestTable {
  private readonly roomsByNode = new Map<string, Set<string>>();
  private readonly nodesByRoom = new Map<string, Set<string>>();

  /** Sets a node's full interest set (a Hello), keeping what did not change. */
  replace(nodeId: string, rooms: Iterable<string>): void {
    const next = new Set(rooms);
    const current = this.roomsByNode.get(nodeId);
    if (current) {
      for (const room of current) if (!next.has(room)) this.unlink(nodeId, room);
    }
    const owned = this.ensureNode(nodeId);
    for (const room of next) if (!owned.has(room)) this.link(nodeId, owned, room);
  }

  /** Applies a delta; removals first, so a room in both lists stays. Idempotent. */
  apply(nodeId: string, add: Iterable<string>, remove: Iterable<string>): void {
    const owned = this.ensureNode(nodeId);
    for (const room of remove) if (owned.has(room)) this.unlink(nodeId, room);
    for (const room of add) if (!owned.has(room)) this.link(nodeId, owned, room);
  }

  removeNode(nodeId: string): void {
    const owned = this.roomsByNode.get(nodeId);
    if (!owned) return;
    for (const room of owned) this.unlink(nodeId, room);
    this.roomsByNode.delete(nodeId);
  }

  /** Nodes with interest in any of `rooms`, each once, never the origin. */
  targets(rooms: Iterable<string>, originNode: string): string[] {
    return [...this.route(rooms, originNode).keys()];
  }

  /**
   * Like `targets`, with the rooms each node wants: one Deliver per node
   * carries exactly the rooms that node announced.
   */
  route(rooms: Iterable<string>, originNode: string): Map<string, string[]> {
    const routes = new Map<string, string[]>();
    for (const room of new Set(rooms)) {
      const nodes = this.nodesByRoom.get(room);
      if (!nodes) continue;
      for (const nodeId of nodes) {
        if (nodeId === originNode) continue;
        const wanted = routes.get(nodeId);
        if (wanted) wanted.push(room);
        else routes.set(nodeId, [room]);
      }
    }
    return routes;
  }

  roomsOf(nodeId: string): ReadonlySet<string> {
    return this.roomsByNode.get(nodeId) ?? new Set();
  }

  nodesIn(room: string): ReadonlySet<string> {
    return this.nodesByRoom.get(room) ?? new Set();
  }

  get nodeCount(): number {
    return this.roomsByNode.size;
  }

  get roomCount(): number {
    return this.nodesByRoom.size;
  }

  clear(): void {
    this.roomsByNode.clear();
    this.nodesByRoom.clear();
  }

  private ensureNode(nodeId: string): Set<string> {
    let owned = this.roomsByNode.get(nodeId);
    if (!owned) {
      owned = new Set();
      this.roomsByNode.set(nodeId, owned);
    }
    return owned;
  }

  private link(nodeId: string, owned: Set<string>, room: string): void {
    owned.add(room);
    const nodes = this.nodesByRoom.get(room);
    if (nodes) nodes.add(nodeId);
    else this.nodesByRoom.set(room, new Set([nodeId]));
  }

  private unlink(nodeId: string, room: string): void {
    this.roomsByNode.get(nodeId)?.delete(room);
    const nodes = this.nodesByRoom.get(room);
    if (!nodes) return;
    nodes.delete(nodeId);
    // Drop empty rooms so the table does not grow with every room ever seen.
    if (nodes.size === 0) this.nodesByRoom.delete(room);
  }
}

/** Empty names would index nothing useful; drop them rather than fail the node. */
export function cleanRooms(rooms: readonly string[]): string[] {
  return rooms.filter((room) => room.length > 0);
}
