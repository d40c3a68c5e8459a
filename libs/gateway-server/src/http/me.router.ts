import { Router } from 'express';
import {
  changePasswordBodySchema,
  deleteAccountBodySchema,
  parseOrThrow,
  updateMeBodySchema,
  userSearchQuerySchema,
} from '@parley/protocol';
import type { AccountService, AuthSessionService } from '@parley/domain';
import { claimsOf } from './bearer-auth';
import { clientInfo } from './client-info';
import { clearRefreshCookie } from './refresh-cookie';

/** `/api/me` and `/api/users`: both need a signed-in user (mounted behind bearerAuth). */
export function meRouter(accounts: AccountService, sessions: AuthSessionService): Router {
  const router = Router();
  router.get('/me', async (req, res) => {
    res.json({ user: await accounts.getUser(claimsOf(req).userId) });
  });
  router.patch('/me', async (req, res) => {
    const patch = parseOrThrow(updateMeBodySchema, req.body);
    res.json({ user: await accounts.updateProfile(claimsOf(req).userId, patch) });
  });
  // Ends every other session; this one stays signed in.
  router.post('/me/password', async (req, res) => {
    const body = parseOrThrow(changePasswordBodySchema, req.body);
    await sessions.changePassword(claimsOf(req), body, clientInfo(req));
    res.status(204).end();
  });
  router.delete('/me', async (req, res) => {
    const body = parseOrThrow(deleteAccountBodySchema, req.body);
    await sessions.deleteAccount(claimsOf(req), body, clientInfo(req));
    clearRefreshCookie(res);
    res.status(204).end();
  });
  router.get('/users', async (req, res) => {
    const query = parseOrThrow(userSearchQuerySchema, req.query);
    res.json({ users: await accounts.search(query.q, query.limit, query.offset) });
  });
  return router;
}
