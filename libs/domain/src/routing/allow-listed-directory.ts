import type { NodeDirectory } from '../ports';
import type { NodeUrlAllowList } from './node-url-allow-list';
import { PATH_SAFE_NODE_ID_RULE, isPathSafeNodeId } from './public-entry';
import { VettedNodeDirectory, type RejectedNode } from './vetted-directory';

export type { RejectedNode } from './vetted-directory';

/** Lists only the nodes whose URL the allow-list accepts (for nodes whose URL is handed out as is). */
export class AllowListedNodeDirectory extends VettedNodeDirectory {
  constructor(inner: NodeDirectory, allow: NodeUrlAllowList, onRejected?: (node: RejectedNode) => void) {
    super(inner, (node) => allow.check(node.url), onRejected);
  }
}

/**
 * Lists only the nodes whose id may stand in a public-entry path
 * (isPathSafeNodeId): any other id would be a path the entry cannot route,
 * or one it would route somewhere else.
 */
export class PathSafeNodeDirectory extends VettedNodeDirectory {
  constructor(inner: NodeDirectory, onRejected?: (node: RejectedNode) => void) {
    super(
      inner,
      (node) =>
        isPathSafeNodeId(node.nodeId)
          ? { allowed: true }
          : { allowed: false, host: hostOf(node.url), reason: `its id cannot stand in a public-entry path (${PATH_SAFE_NODE_ID_RULE})` },
      onRejected,
    );
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}
