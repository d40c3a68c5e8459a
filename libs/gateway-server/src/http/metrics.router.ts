import type { Express } from 'express';
import { writeMetrics, type ParleyMetrics } from '@parley/observability';
import { ParleyError } from '@parley/protocol';
import { sendProblem } from './problem';

/**
 * GET /metrics: this process's Prometheus text. With PARLEY_METRICS_PORT the
 * metrics have a listener of their own (one only Prometheus reaches) and this
 * route answers 404, so the public port never shows them. Registered either
 * way, ahead of the web client's app-shell fallback (which would answer HTML).
 */
export function mountMetricsRoute(app: Express, metrics: ParleyMetrics, servedElsewhere: boolean): void {
  app.get('/metrics', async (_req, res) => {
    if (servedElsewhere) sendProblem(res, new ParleyError('NOT_FOUND', 'no such endpoint (metrics are served on their own port)'));
    else await writeMetrics(res, metrics);
  });
}
