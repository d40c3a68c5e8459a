import { Router } from 'express';
import { assignQuerySchema, parseOrThrow } from '@parley/protocol';
import type { NodeAssigner, NodeDirectory } from '@parley/domain';

export function nodesRouter(assigner: NodeAssigner, directory: NodeDirectory): Router {
  const router = Router();
  router.get('/assign', (req, res) => {
    const query = parseOrThrow(assignQuerySchema, req.query);
    res.json(assigner.assign(query.room));
  });
  router.get('/', (_req, res) => {
    res.json({ nodes: directory.healthyNodes() });
  });
  return router;
}
