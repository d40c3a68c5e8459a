import { Router } from 'express';
import { loginBodySchema, parseOrThrow, registerBodySchema } from '@parley/protocol';
import type { AccountService } from '@parley/domain';

export function authRouter(accounts: AccountService): Router {
  const router = Router();
  router.post('/register', async (req, res) => {
    const body = parseOrThrow(registerBodySchema, req.body);
    res.status(201).json(await accounts.register(body));
  });
  router.post('/login', async (req, res) => {
    const body = parseOrThrow(loginBodySchema, req.body);
    res.json(await accounts.login(body));
  });
  return router;
}
