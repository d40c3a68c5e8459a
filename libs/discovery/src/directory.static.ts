import type { NodeDirectory, NodeInstance } from '@parley/domain';
import { normalizeNodes } from './node-list';

/**
 * A fixed list of nodes for embedded mode and development: always "healthy",
 * never changes, so onChange listeners are never called.
 */
export class StaticNodeDirectory implements NodeDirectory {
  private readonly nodes: readonly NodeInstance[];

  constructor(nodes: readonly NodeInstance[]) {
    const ids = new Set<string>();
    for (const node of nodes) {
      if (!node.nodeId || !node.url) throw new Error('static node needs a nodeId and a url');
      if (ids.has(node.nodeId)) throw new Error(`duplicate static node ${node.nodeId}`);
      ids.add(node.nodeId);
    }
    this.nodes = normalizeNodes(nodes);
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  healthyNodes(): readonly NodeInstance[] {
    return this.nodes;
  }

  onChange(_listener: (nodes: readonly NodeInstance[]) => void): () => void {
    return () => undefined;
  }
}
