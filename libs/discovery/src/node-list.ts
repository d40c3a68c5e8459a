import type { NodeInstance } from '@parley/domain';

/** A frozen copy sorted by nodeId, so equal sets compare and iterate the same. */
export function normalizeNodes(nodes: Iterable<NodeInstance>): readonly NodeInstance[] {
  const byId = new Map<string, NodeInstance>();
  for (const n of nodes) byId.set(n.nodeId, Object.freeze({ nodeId: n.nodeId, url: n.url }));
  return Object.freeze([...byId.values()].sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0)));
}

/** Calls every listener; one that throws does not stop the others. */
export function notifyListeners(
  listeners: Iterable<(nodes: readonly NodeInstance[]) => void>,
  nodes: readonly NodeInstance[],
  onError: (err: unknown) => void,
): void {
  for (const listener of [...listeners]) {
    try {
      listener(nodes);
    } catch (err) {
      onError(err);
    }
  }
}
