import { Router } from 'express';
import { loginBodySchema, parseOrThrow, registerBodySchema } from '@parley/protocol';
import type { AccountService, AuthSessionService } from '@parley/domain';
import { clientInfo } from './client-info';
import { sendAuthResult } from './refresh-cookie';

/** Sign-ins: each answers an AuthResult and sets the refresh cookie (refresh-cookie.ts). */
export function authRouter(accounts: AccountService, sessions: Pick<AuthSessionService, 'refreshTtlSeconds'>): Router {
  const router = Router();
  router.post('/register', async (req, res) => {
    const body = parseOrThrow(registerBodySchema, req.body);
    sendAuthResult(req, res, 201, await accounts.register(body, clientInfo(req)), sessions.refreshTtlSeconds);
  });
  router.post('/login', async (req, res) => {
    const body = parseOrThrow(loginBodySchema, req.body);
    sendAuthResult(req, res, 200, await accounts.login(body, clientInfo(req)), sessions.refreshTtlSeconds);
  });
  return router;
}
