import type { GatewayInstance, NodeInstance } from '@parley/domain';

/**
 * Instance lists as the directories hand them out: frozen copies, one per key,
 * sorted by key, so equal sets compare and iterate the same.
 */
function normalizeBy<T extends object>(items: Iterable<T>, key: (item: T) => string, copy: (item: T) => T): readonly T[] {
  const byKey = new Map<string, T>();
  for (const item of items) byKey.set(key(item), Object.freeze(copy(item)));
  return Object.freeze([...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, item]) => item));
}

export function normalizeNodes(nodes: Iterable<NodeInstance>): readonly NodeInstance[] {
  return normalizeBy(nodes, (n) => n.nodeId, (n) => ({ nodeId: n.nodeId, url: n.url }));
}

export function normalizeGateways(gateways: Iterable<GatewayInstance>): readonly GatewayInstance[] {
  return normalizeBy(gateways, (g) => g.gatewayId, (g) => ({ gatewayId: g.gatewayId, relayAddress: g.relayAddress }));
}

export function sameGateways(a: readonly GatewayInstance[], b: readonly GatewayInstance[]): boolean {
  return a.length === b.length && a.every((g, i) => g.gatewayId === b[i]?.gatewayId && g.relayAddress === b[i]?.relayAddress);
}

/** Calls every listener; one that throws does not stop the others. */
export function notifyListeners<T>(
  listeners: Iterable<(items: readonly T[]) => void>,
  items: readonly T[],
  onError: (err: unknown) => void,
): void {
  for (const listener of [...listeners]) {
    try {
      listener(items);
    } catch (err) {
      onError(err);
    }
  }
}
