import type { NodeInstance } from '../ports';
import { hash32 } from '@parley/util';

export type RouterKind = 'round-robin' | 'room-hash';

/** Picks an IM node for a client; `room` is a hint only the room-hash router uses. */
export interface NodeRouter {
  readonly kind: RouterKind;
  pick(nodes: readonly NodeInstance[], room?: string): NodeInstance | undefined;
}

export class RoundRobinRouter implements NodeRouter {
  readonly kind = 'round-robin';
  private next = 0;

  pick(nodes: readonly NodeInstance[]): NodeInstance | undefined {
    if (nodes.length === 0) return undefined;
    const node = nodes[this.next % nodes.length];
    this.next = (this.next + 1) % Number.MAX_SAFE_INTEGER;
    return node;
  }
}

/**
 * Rendezvous (highest-random-weight) hashing: every node scores the room and
 * the highest wins, so adding a node moves only the rooms it now wins (~1/N).
 * Without a room it falls back to round-robin.
 */
export class RoomHashRouter implements NodeRouter {
  readonly kind = 'room-hash';
  private readonly fallback = new RoundRobinRouter();

  pick(nodes: readonly NodeInstance[], room?: string): NodeInstance | undefined {
    if (room === undefined) return this.fallback.pick(nodes);
    let best: NodeInstance | undefined;
    let bestScore = -1;
    for (const node of nodes) {
      const score = hash32(node.nodeId, room);
      if (score > bestScore || (score === bestScore && best !== undefined && node.nodeId < best.nodeId)) {
        best = node;
        bestScore = score;
      }
    }
    return best;
  }
}

export function createRouter(kind: RouterKind): NodeRouter {
  return kind === 'room-hash' ? new RoomHashRouter() : new RoundRobinRouter();
}
