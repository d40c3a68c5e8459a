import {
  AllowListedNodeDirectory,
  PathSafeNodeDirectory,
  type NodeDirectory,
  type NodeUrlAllowList,
  type PublicEntry,
} from '@parley/domain';
import type { Logger } from '@parley/util';

/**
 * The nodes a gateway may hand to clients. Through a public entry a client
 * gets the entry and a per-node path, never the node's URL: the node id must
 * be path-safe and the URL allow-list has nothing to check. Without an entry
 * the node's URL is handed out as is, so it must pass the allow-list (when
 * one is set). Each refused node is logged once.
 */
export function handedOutNodes(directory: NodeDirectory, logger: Logger, entry?: PublicEntry, allow?: NodeUrlAllowList): NodeDirectory {
  if (entry) {
    return new PathSafeNodeDirectory(directory, (node) =>
      logger.warn(node, 'ignoring IM node: its id cannot be routed through the public entry (PARLEY_PUBLIC_ENTRY)'),
    );
  }
  if (allow) {
    return new AllowListedNodeDirectory(directory, allow, (node) =>
      logger.warn(node, 'ignoring IM node: its URL is not on the node URL allow-list (PARLEY_NODE_URL_ALLOW)'),
    );
  }
  return directory;
}
