import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import httpProxy from 'http-proxy';

/**
 * What nginx does as the one public entry, small enough to start in a test:
 * `/n/<nodeId>/socket.io/…` goes to that node's `/socket.io/…` (the node
 * looked up on each request, as nginx resolves node hostnames at request
 * time), everything else to the gateway. A node id the lookup does not know,
 * or one that is not a plain path segment, gets 404 and is proxied nowhere.
 */
export interface EntryProxyOptions {
  /** The base URL of node `nodeId` right now, or undefined when there is no such node. */
  nodeUrl(nodeId: string): string | undefined;
  /** The gateway's base URL right now. */
  gatewayUrl(): string | undefined;
}

export interface EntryProxy {
  /** `http://127.0.0.1:<port>`: the public entry. */
  url: string;
  /** WebSocket upgrades proxied to each node id, counted. */
  upgrades: Map<string, number>;
  /** Requests under /n/ refused with 404 (unknown or malformed node id). */
  refused: string[];
  stop(): Promise<void>;
}

/** `/n/<id>/socket.io/<rest>`; the id is matched on the raw path, so no encoded `/` or `.` gets through. */
const NODE_PATH = /^\/n\/([A-Za-z0-9_.-]{1,64})(\/socket\.io\/.*)$/;

type Route = { kind: 'node'; nodeId: string; target: string; path: string } | { kind: 'gateway'; target: string } | { kind: 'refused' };

export async function startEntryProxy(options: EntryProxyOptions): Promise<EntryProxy> {
  const proxy = httpProxy.createProxyServer({ xfwd: true });
  const upgrades = new Map<string, number>();
  const refused: string[] = [];
  /** Upgraded sockets leave the HTTP server's bookkeeping: closed by hand on stop. */
  const open = new Set<Socket>();

  const route = (rawUrl: string): Route => {
    if (rawUrl === '/n' || rawUrl.startsWith('/n/')) {
      const [, nodeId = '', path = ''] = NODE_PATH.exec(rawUrl) ?? [];
      const target = nodeId && !/^\.+$/.test(nodeId) ? options.nodeUrl(nodeId) : undefined;
      if (!target) {
        refused.push(rawUrl);
        return { kind: 'refused' };
      }
      return { kind: 'node', nodeId, target, path };
    }
    const target = options.gatewayUrl();
    return target ? { kind: 'gateway', target } : { kind: 'refused' };
  };

  // A target that went away (a node killed mid-request) answers 502, as nginx would.
  proxy.on('error', (_err, _req, res) => {
    if (res instanceof http.ServerResponse) {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway');
    } else {
      (res as Socket).destroy();
    }
  });

  const server = http.createServer((req, res) => {
    const to = route(req.url ?? '/');
    if (to.kind === 'refused') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such node');
      return;
    }
    if (to.kind === 'node') req.url = to.path;
    proxy.web(req, res, { target: to.target });
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    const to = route(req.url ?? '/');
    if (to.kind !== 'node') {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    upgrades.set(to.nodeId, (upgrades.get(to.nodeId) ?? 0) + 1);
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    req.url = to.path;
    proxy.ws(req, socket, head, { target: to.target });
  });

  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    upgrades,
    refused,
    async stop() {
      for (const socket of open) socket.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      proxy.close();
    },
  };
}
