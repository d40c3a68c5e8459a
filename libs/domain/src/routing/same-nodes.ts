import type { NodeInstance } from '../ports';

/** Same nodes (id and URL) in the same order. */
export function sameNodes(a: readonly NodeInstance[], b: readonly NodeInstance[]): boolean {
  return (
    a.length === b.length &&
    a.every((n, i) => {
      const other = b[i];
      return other !== undefined && n.nodeId === other.nodeId && n.url === other.url;
    })
  );
}
