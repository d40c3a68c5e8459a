import { Router, type Request, type Response } from 'express';
import type { AdminActor, AdminRouteName, AdminService } from '@parley/domain';
import {
  ParleyError,
  adminActionBodySchema,
  adminNodeParamsSchema,
  adminUserParamsSchema,
  adminUserSearchQuerySchema,
  auditQuerySchema,
  parseOrThrow,
  postNoticeBodySchema,
  suspendBodySchema,
} from '@parley/protocol';
import { claimsOf } from '../http/bearer-auth';

type AdminHandler = (admin: AdminService, actor: AdminActor, req: Request, res: Response) => Promise<void> | void;

/**
 * `/api/admin/*` (mounted behind bearerAuth): maps HTTP to AdminService.
 * Every route first checks that the caller is an admin now (403 FORBIDDEN
 * otherwise, whatever the request holds), then validates its input (400,
 * nothing changed). Without an AdminService every route is FORBIDDEN.
 * `/access` alone answers any signed-in user: whether they are an admin.
 */
export function adminRouter(service: AdminService | undefined): Router {
  const router = Router();
  const route =
    (name: AdminRouteName, handler: AdminHandler) =>
    async (req: Request, res: Response): Promise<void> => {
      if (!service) throw new ParleyError('FORBIDDEN', 'the admin API is not enabled on this gateway');
      const actor = await service.authorize(claimsOf(req).userId, name);
      try {
        await handler(service, actor, req, res);
        service.outcome(name, 'ok');
      } catch (err) {
        service.outcome(name, 'error');
        throw err;
      }
    };
  // A POST without a body (Content-Length: 0) is an empty one: every body here is optional.
  const body = (req: Request): unknown => req.body ?? {};

  // Any signed-in user may ask (the chat page's console link): not an admin action, so neither refused nor counted.
  router.get('/access', async (req: Request, res: Response): Promise<void> => {
    res.json(service ? await service.access(claimsOf(req).userId) : { admin: false });
  });
  router.get(
    '/fleet',
    route('fleet:read', (admin, _actor, _req, res) => void res.json(admin.fleet())),
  );
  router.get(
    '/users',
    route('users:search', async (admin, _actor, req, res) => {
      const query = parseOrThrow(adminUserSearchQuerySchema, req.query);
      res.json(await admin.searchUsers(query.q, query.limit));
    }),
  );
  router.post(
    '/users/:userId/disconnect',
    route('user:disconnect', async (admin, actor, req, res) => {
      const { userId } = parseOrThrow(adminUserParamsSchema, req.params);
      const { reason } = parseOrThrow(adminActionBodySchema, body(req));
      res.json(await admin.disconnect(actor, userId, reason));
    }),
  );
  router.post(
    '/users/:userId/suspend',
    route('user:suspend', async (admin, actor, req, res) => {
      const { userId } = parseOrThrow(adminUserParamsSchema, req.params);
      const { reason } = parseOrThrow(suspendBodySchema, body(req));
      res.json(await admin.suspend(actor, userId, reason));
    }),
  );
  router.post(
    '/users/:userId/unsuspend',
    route('user:unsuspend', async (admin, actor, req, res) => {
      const { userId } = parseOrThrow(adminUserParamsSchema, req.params);
      const { reason } = parseOrThrow(adminActionBodySchema, body(req));
      res.json(await admin.unsuspend(actor, userId, reason));
    }),
  );
  router.post(
    '/nodes/:nodeId/drain',
    route('node:drain', async (admin, actor, req, res) => {
      const { nodeId } = parseOrThrow(adminNodeParamsSchema, req.params);
      const { reason } = parseOrThrow(adminActionBodySchema, body(req));
      res.json(await admin.drain(actor, nodeId, reason));
    }),
  );
  router.post(
    '/notices',
    route('notice:post', async (admin, actor, req, res) => {
      const notice = parseOrThrow(postNoticeBodySchema, req.body);
      res.status(201).json(await admin.postNotice(actor, notice));
    }),
  );
  router.get(
    '/audit',
    route('audit:read', async (admin, _actor, req, res) => {
      const query = parseOrThrow(auditQuerySchema, req.query);
      res.json(await admin.audit(query.limit, query.before));
    }),
  );
  return router;
}

