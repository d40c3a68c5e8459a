import { Router } from 'express';
import { assignQuerySchema, parseOrThrow } from '@parley/protocol';
import type { NodeAssigner } from '@parley/domain';

export function nodesRouter(assigner: NodeAssigner): Router {
  const router = Router();
  router.get('/assign', (req, res) => {
    const query = parseOrThrow(assignQuerySchema, req.query);
    res.json(assigner.assign(query.room));
  });
  // Each node as a client would reach it: through the public entry when there is one, never its internal URL.
  router.get('/', (_req, res) => {
    res.json({ nodes: assigner.list() });
  });
  return router;
}
