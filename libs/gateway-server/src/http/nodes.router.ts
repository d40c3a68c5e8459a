import { Router } from 'express';
import { ParleyError, assignQuerySchema, parseOrThrow } from '@parley/protocol';
import type { NodeAssigner } from '@parley/domain';

/** Counts assignments by outcome (parley_assignments_total: a bound child per outcome, made once). */
export interface AssignmentCounters {
  ok: { inc(): void };
  noNodes: { inc(): void };
}

export function nodesRouter(assigner: NodeAssigner, counters?: AssignmentCounters): Router {
  const router = Router();
  router.get('/assign', (req, res) => {
    const query = parseOrThrow(assignQuerySchema, req.query);
    let assignment: ReturnType<NodeAssigner['assign']>;
    try {
      assignment = assigner.assign(query.room);
    } catch (err) {
      if (err instanceof ParleyError && err.code === 'NO_NODES') counters?.noNodes.inc();
      throw err;
    }
    counters?.ok.inc();
    res.json(assignment);
  });
  // Each node as a client would reach it: through the public entry when there is one, never its internal URL.
  router.get('/', (_req, res) => {
    res.json({ nodes: assigner.list() });
  });
  return router;
}
