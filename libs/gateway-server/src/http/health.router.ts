import type { Express, Response } from 'express';
import { ERROR_CODES, type ProblemBody } from '@parley/protocol';
import { GatewayReadiness, type ReadinessAnswer } from './gateway-readiness';

export { GatewayReadiness, type Pingable, type ReadinessAnswer, type ReadinessDeps, type ReadinessTiming } from './gateway-readiness';

/** The 503 of /readyz: a problem document (code UNAVAILABLE) that also lists what failed. */
export type NotReadyBody = ProblemBody & { failed: string[] };

/**
 * GET /livez (the process answers), GET /readyz (200 ready; 503 naming what
 * failed: stopping, database, redis, relay) and the older GET /healthz
 * (liveness, kept for existing checks), on the app's root.
 */
export function mountHealthRoutes(app: Express, readiness: GatewayReadiness): void {
  app.get('/livez', (_req, res) => {
    res.set('cache-control', 'no-store').json({ status: 'ok' });
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const answer = await readiness.answer();
    res.set('cache-control', 'no-store');
    if (answer.ready) res.json({ status: 'ready' });
    else sendNotReady(res, answer);
  });
}

function sendNotReady(res: Response, answer: Extract<ReadinessAnswer, { ready: false }>): void {
  const body: NotReadyBody = {
    type: 'about:blank',
    title: ERROR_CODES.UNAVAILABLE.title,
    status: ERROR_CODES.UNAVAILABLE.status,
    code: 'UNAVAILABLE',
    detail: answer.detail,
    failed: answer.failed,
  };
  res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
}
