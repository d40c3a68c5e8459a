import { ParleyError, type AssignResult } from '@parley/protocol';
import type { NodeDirectory } from '../ports';
import type { NodeRouter } from './node-router';

/** Answers `GET /api/nodes/assign`: a healthy node for this client, or NO_NODES. */
export class NodeAssigner {
  constructor(
    private readonly directory: NodeDirectory,
    private readonly router: NodeRouter,
  ) {}

  assign(room?: string): AssignResult {
    const node = this.router.pick(this.directory.healthyNodes(), room);
    if (!node) throw new ParleyError('NO_NODES', 'no healthy IM node is available');
    return { nodeId: node.nodeId, url: node.url, path: '/socket.io' };
  }
}
