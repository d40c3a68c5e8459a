import fs from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import type { AccountService, AuthSessionService, NodeAssigner, NodeDirectory, PublicEntry } from '@parley/domain';
import type { Logger } from '@parley/util';
import { apiDocsRouter } from './api-docs.router';
import { authRouter } from './auth.router';
import { bearerAuth } from './bearer-auth';
import { DEFAULT_IPV6_PREFIX_BITS, IPV6_PREFIX_SETTING } from './client-info';
import { GatewayReadiness, mountHealthRoutes } from './health.router';
import { meRouter } from './me.router';
import { nodesRouter } from './nodes.router';
import { sessionRouter } from './session.router';
import { jsonBody } from './json-body';
import { COOKIE_LOGGER_SETTING } from './refresh-cookie';
import { errorHandler, notFoundHandler } from './problem';
import { securityHeaders } from './security-headers';

export interface HttpAppDeps {
  accounts: AccountService;
  /** Sign-in sessions: refresh, logout, password change, account deletion, and every bearer check. */
  sessions: AuthSessionService;
  assigner: NodeAssigner;
  directory: NodeDirectory;
  /** Where clients reach every node (PARLEY_PUBLIC_ENTRY); the CSP lets sockets go there instead of to the nodes. */
  publicEntry?: PublicEntry;
  logger: Logger;
  /** Folder with the built web client; served at `/` when it exists. */
  staticDir?: string;
  /**
   * Express `trust proxy`: `false` (the socket's peer is the client), a hop
   * count, or addresses/CIDRs/`loopback` of proxies whose X-Forwarded-For is
   * believed. Decides `req.ip`, which login and registration limits key on.
   * Never `true`: Express would then take the left-most X-Forwarded-For
   * entry, which the client writes. @default false
   */
  trustProxy?: false | number | string;
  /** Leading bits of an IPv6 address that name one client for the limits (PARLEY_IPV6_PREFIX). @default 64 */
  ipv6PrefixBits?: number;
  /** What GET /readyz answers. @default always ready */
  readiness?: GatewayReadiness;
}

export function createHttpApp(deps: HttpAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  if ((deps.trustProxy as unknown) === true) throw new Error('trust proxy must name the proxies (a hop count or their addresses), never true');
  app.set('trust proxy', deps.trustProxy ?? false);
  app.set(IPV6_PREFIX_SETTING, deps.ipv6PrefixBits ?? DEFAULT_IPV6_PREFIX_BITS);
  app.set(COOKIE_LOGGER_SETTING, deps.logger);
  app.use(securityHeaders(deps.directory, deps.publicEntry));
  app.use(jsonBody());

  mountHealthRoutes(app, deps.readiness ?? new GatewayReadiness());
  app.use('/api', apiDocsRouter());
  app.use('/api/auth', authRouter(deps.accounts, deps.sessions));
  app.use('/api/auth', sessionRouter(deps.sessions));
  const auth = bearerAuth(deps.sessions);
  app.use('/api/nodes', auth, nodesRouter(deps.assigner));
  app.use('/api', auth, meRouter(deps.accounts, deps.sessions));
  app.use('/api', notFoundHandler);

  // The browser build of socket.io-client, for pages that load it with a script tag.
  app.get('/vendor/socket.io.min.js', (_req, res) => res.sendFile(require.resolve('socket.io-client/dist/socket.io.min.js')));
  if (deps.staticDir && fs.existsSync(deps.staticDir)) {
    app.use(express.static(deps.staticDir, { index: 'index.html', maxAge: '1h' }));
    // Client-side routes fall back to the app shell.
    app.get(/^\/(?!api\/).*/, (_req, res) => res.sendFile(path.join(deps.staticDir as string, 'index.html')));
  }
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
