import { ParleyError, type AssignResult } from '@parley/protocol';
import type { NodeDirectory, NodeInstance } from '../ports';
import type { NodeRouter } from './node-router';
import type { PublicEntry } from './public-entry';

/** The Socket.IO path of a node reached directly (the IM node's own). */
export const DIRECT_SOCKET_PATH = '/socket.io';

/**
 * Answers `GET /api/nodes/assign`: a healthy node for this client, or
 * NO_NODES. With a public entry, clients reach the node through the entry on
 * its per-node path and never see the node's own URL; the directory must then
 * list path-safe ids only (PathSafeNodeDirectory).
 */
export class NodeAssigner {
  constructor(
    private readonly directory: NodeDirectory,
    private readonly router: NodeRouter,
    private readonly entry?: PublicEntry,
  ) {}

  assign(room?: string): AssignResult {
    const node = this.router.pick(this.directory.healthyNodes(), room);
    if (!node) throw new ParleyError('NO_NODES', 'no healthy IM node is available');
    return this.reachable(node);
  }

  /** Every node this gateway may hand out, each as a client would reach it (`GET /api/nodes`). */
  list(): AssignResult[] {
    return this.directory.healthyNodes().map((node) => this.reachable(node));
  }

  private reachable(node: NodeInstance): AssignResult {
    return this.entry
      ? { nodeId: node.nodeId, url: this.entry.url, path: this.entry.socketPathOf(node.nodeId) }
      : { nodeId: node.nodeId, url: node.url, path: DIRECT_SOCKET_PATH };
  }
}
