import { Router } from 'express';
import { loginBodySchema, parseOrThrow, registerBodySchema } from '@parley/protocol';
import type { AccountService } from '@parley/domain';
import { clientInfo } from './client-info';

export function authRouter(accounts: AccountService): Router {
  const router = Router();
  router.post('/register', async (req, res) => {
    const body = parseOrThrow(registerBodySchema, req.body);
    res.status(201).json(await accounts.register(body, clientInfo(req)));
  });
  router.post('/login', async (req, res) => {
    const body = parseOrThrow(loginBodySchema, req.body);
    res.json(await accounts.login(body, clientInfo(req)));
  });
  return router;
}
