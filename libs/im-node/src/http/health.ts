import type http from 'node:http';
import { writeMetrics, type ParleyMetrics } from '@parley/observability';
import { ERROR_CODES } from '@parley/protocol';
import type { ReadinessResult } from './readiness';

/** What the node's health endpoints read. */
export interface NodeHealthSource {
  nodeId: string;
  /** Taking new sessions (started, not draining). */
  accepting(): boolean;
  /** Whether the node should get new sessions, and if not what fails (see readiness.ts). */
  readiness(): Promise<ReadinessResult>;
  /** Served at GET /metrics; unset when metrics have a listener of their own (PARLEY_METRICS_PORT). */
  metrics?: ParleyMetrics;
}

/**
 * The IM node's plain HTTP endpoints (Socket.IO answers its own path first):
 * - GET /livez: the process answers (200 {status: 'ok'}); restart it when not.
 * - GET /readyz: 200 {status: 'ready'} when it should get new sessions: it
 *   takes them (not starting or draining), a relay stream is up, and the
 *   database and presence answer. Else 503 with a problem document whose
 *   `failed` lists what (and `detail` says it in words). Consul's check and
 *   static discovery use it.
 * - GET /healthz: as before (200 while accepting, 503 {status: 'draining'}).
 * - GET /metrics: Prometheus text, when `metrics` is given.
 */
export function nodeHttpHandler(source: NodeHealthSource): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (path === '/livez') return sendJson(res, 200, { status: 'ok', nodeId: source.nodeId });
      if (path === '/readyz') return void answerReadiness(source, res);
      if (path === '/healthz') {
        const accepting = source.accepting();
        return sendJson(res, accepting ? 200 : 503, { status: accepting ? 'ok' : 'draining', nodeId: source.nodeId });
      }
      if (path === '/metrics' && source.metrics) return void writeMetrics(res, source.metrics);
    }
    sendProblem(res, 404, 'NOT_FOUND', 'no such endpoint');
  };
}

async function answerReadiness(source: NodeHealthSource, res: http.ServerResponse): Promise<void> {
  let result: ReadinessResult;
  try {
    result = await source.readiness();
  } catch {
    result = { ready: false, failed: ['readiness check'], reasons: ['readiness check failed'] };
  }
  if (result.ready) return sendJson(res, 200, { status: 'ready', nodeId: source.nodeId });
  sendProblem(res, 503, 'UNAVAILABLE', `not ready: ${result.reasons.join(', ')}`, { nodeId: source.nodeId, failed: result.failed });
}

function sendJson(res: http.ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function sendProblem(res: http.ServerResponse, status: number, code: 'UNAVAILABLE' | 'NOT_FOUND', detail: string, extra: object = {}): void {
  res.writeHead(status, { 'content-type': 'application/problem+json', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ type: 'about:blank', title: ERROR_CODES[code].title, status, code, detail, ...extra }));
}
