import { Router } from 'express';
import { parseOrThrow, updateMeBodySchema, userSearchQuerySchema } from '@parley/protocol';
import type { AccountService } from '@parley/domain';
import { claimsOf } from './bearer-auth';

/** `/api/me` and `/api/users`: both need a signed-in user (mounted behind bearerAuth). */
export function meRouter(accounts: AccountService): Router {
  const router = Router();
  router.get('/me', async (req, res) => {
    res.json({ user: await accounts.getUser(claimsOf(req).userId) });
  });
  router.patch('/me', async (req, res) => {
    const patch = parseOrThrow(updateMeBodySchema, req.body);
    res.json({ user: await accounts.updateProfile(claimsOf(req).userId, patch) });
  });
  router.get('/users', async (req, res) => {
    const query = parseOrThrow(userSearchQuerySchema, req.query);
    res.json({ users: await accounts.search(query.q, query.limit, query.offset) });
  });
  return router;
}
