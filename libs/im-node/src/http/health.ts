import type http from 'node:http';
import { ERROR_CODES } from '@parley/protocol';

/** What the node's health endpoints read. */
export interface NodeHealthSource {
  nodeId: string;
  /** Taking new sessions (started, not draining). */
  accepting(): boolean;
  /** Why the node should get no new sessions now (starting, draining, no relay); undefined when ready. */
  notReadyReason(): string | undefined;
}

/**
 * The IM node's plain HTTP endpoints (Socket.IO answers its own path first):
 * - GET /livez: the process answers (200 {status: 'ok'}); restart it when not.
 * - GET /readyz: 200 {status: 'ready'} when it should get new sessions, else
 *   503 with a problem document whose `detail` says why (draining, starting,
 *   no relay gateway stream ready). Consul's check and static discovery use it.
 * - GET /healthz: as before (200 while accepting, 503 {status: 'draining'}).
 */
export function nodeHttpHandler(source: NodeHealthSource): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (path === '/livez') return sendJson(res, 200, { status: 'ok', nodeId: source.nodeId });
      if (path === '/readyz') {
        const reason = source.notReadyReason();
        if (reason === undefined) return sendJson(res, 200, { status: 'ready', nodeId: source.nodeId });
        return sendProblem(res, 503, 'UNAVAILABLE', `not ready: ${reason}`, { nodeId: source.nodeId });
      }
      if (path === '/healthz') {
        const accepting = source.accepting();
        return sendJson(res, accepting ? 200 : 503, { status: accepting ? 'ok' : 'draining', nodeId: source.nodeId });
      }
    }
    sendProblem(res, 404, 'NOT_FOUND', 'no such endpoint');
  };
}

function sendJson(res: http.ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function sendProblem(res: http.ServerResponse, status: number, code: 'UNAVAILABLE' | 'NOT_FOUND', detail: string, extra: object = {}): void {
  res.writeHead(status, { 'content-type': 'application/problem+json', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ type: 'about:blank', title: ERROR_CODES[code].title, status, code, detail, ...extra }));
}
