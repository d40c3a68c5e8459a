/**
 * One DNS label: the entry resolves the id as a host name (plus a fixed
 * suffix), so a dot would let a client name any host the resolver knows,
 * outside names included. Matches the node pattern of the nginx template.
 */
const PATH_SAFE_NODE_ID = /^[A-Za-z0-9_-]{1,63}$/;

export function isPathSafeNodeId(nodeId: string): boolean {
  return PATH_SAFE_NODE_ID.test(nodeId);
}

/** What isPathSafeNodeId accepts, in words (for logs and warnings). */
export const PATH_SAFE_NODE_ID_RULE = "one DNS label: 1-63 letters, digits, '_' or '-'";

/**
 * A default instance id, `<prefix>-<hostname>-<port>`, that is one DNS label
 * (isPathSafeNodeId): every other character of the host name (the dots of an
 * FQDN) becomes '-', and the host name is shortened to fit 63 characters so
 * the port, which tells two instances on one host apart, stays.
 */
export function defaultInstanceId(prefix: string, hostname: string, port: number): string {
  const suffix = `-${port}`;
  const room = Math.max(0, 63 - prefix.length - 1 - suffix.length);
  const host = hostname.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, room);
  return `${prefix}-${host}${suffix}`;
}

/**
 * The one public address through which clients reach every IM node
 * (PARLEY_PUBLIC_ENTRY): the load balancer routes `/n/<nodeId>/socket.io/`
 * to that node's `/socket.io/`, so a node that joins needs no change there.
 */
export class PublicEntry {
  private constructor(
    /** scheme://host[:port], no trailing slash: the `url` clients get. */
    readonly url: string,
    /** `connect-src` sources for the entry: its http(s) origin and its ws(s) twin. */
    readonly connectSources: readonly string[],
  ) {}

  /**
   * An http(s) origin (a trailing `/` is dropped). A path is refused: clients
   * pass `url` to `io(url, { path })`, where a path would name a Socket.IO
   * namespace, not a prefix. Throws an Error saying what is wrong.
   */
  static parse(spec: string): PublicEntry {
    let parsed: URL;
    try {
      parsed = new URL(spec.trim());
    } catch {
      throw new Error('is not a URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`uses ${parsed.protocol} (only http: and https:)`);
    if (parsed.username || parsed.password) throw new Error('carries credentials');
    if (parsed.pathname !== '/' || parsed.search || parsed.hash) {
      throw new Error('has a path, query or fragment; give the origin only (https://chat.example.com)');
    }
    const socketScheme = parsed.protocol === 'https:' ? 'wss:' : 'ws:';
    return new PublicEntry(parsed.origin, Object.freeze([parsed.origin, `${socketScheme}//${parsed.host}`]));
  }

  /** The Socket.IO path of a node through the entry; the id must be path-safe (isPathSafeNodeId). */
  socketPathOf(nodeId: string): string {
    if (!isPathSafeNodeId(nodeId)) throw new Error('node id is not path-safe');
    return `/n/${nodeId}/socket.io`;
  }
}
