import fs from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import { systemClock, type AccountService, type AdminService, type AuthSessionService, type Clock, type NodeAssigner, type NodeDirectory, type PublicEntry } from '@parley/domain';
import { STATIC_ROUTE, accessLog, httpMetrics, labelRoute, type ParleyMetrics } from '@parley/observability';
import type { Logger } from '@parley/util';
import { adminRouter } from '../admin/admin.router';
import { apiDocsRouter } from './api-docs.router';
import { authRouter } from './auth.router';
import { bearerAuth } from './bearer-auth';
import { blobsRouter } from './blobs.router';
import type { GatewayAttachments } from './gateway-attachments';
import { DEFAULT_IPV6_PREFIX_BITS, IPV6_PREFIX_SETTING } from './client-info';
import { GatewayReadiness, mountHealthRoutes } from './health.router';
import { mountMetricsRoute } from './metrics.router';
import { meRouter } from './me.router';
import { nodesRouter } from './nodes.router';
import { sessionRouter } from './session.router';
import { jsonBody } from './json-body';
import { COOKIE_LOGGER_SETTING } from './refresh-cookie';
import { errorHandler, notFoundHandler } from './problem';
import { securityHeaders } from './security-headers';
import { attachmentsRouter, uploadContentRouter, uploadsRouter } from './uploads.router';
import { pushSubscriptionsRouter, vapidKeyRouter } from '../push/push.router';
import type { PushSubscriptionService } from '../push/push-subscription-service';

export interface HttpAppDeps {
  /** Names this gateway in its metrics (the `gateway` label). */
  gatewayId: string;
  /** The process's metrics: HTTP timings recorded here, GET /metrics answered from it. */
  metrics: ParleyMetrics;
  /** PARLEY_METRICS_PORT is set: /metrics has its own listener, and this app answers it 404. @default false */
  metricsServedElsewhere?: boolean;
  /** New request ids (when the caller sent no usable X-Request-Id). @default crypto.randomUUID */
  newRequestId?: () => string;
  accounts: AccountService;
  /** The admin API (/api/admin). @default none: every admin route answers 403 */
  admin?: AdminService;
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
  /** Uploads, attachment links and fs blob transfers. @default none: those routes answer UNAVAILABLE */
  attachments?: GatewayAttachments;
  /** Web Push subscriptions (/api/push). @default none: those routes answer UNAVAILABLE (after checking their input) */
  push?: PushSubscriptionService;
  /** Checks the expiry of upload and download links. @default systemClock */
  clock?: Clock;
}

export function createHttpApp(deps: HttpAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  if ((deps.trustProxy as unknown) === true) throw new Error('trust proxy must name the proxies (a hop count or their addresses), never true');
  app.set('trust proxy', deps.trustProxy ?? false);
  app.set(IPV6_PREFIX_SETTING, deps.ipv6PrefixBits ?? DEFAULT_IPV6_PREFIX_BITS);
  app.set(COOKIE_LOGGER_SETTING, deps.logger);
  // First: every answer, refusals included, carries its request id and is timed and logged.
  app.use(accessLog({ logger: deps.logger, newId: deps.newRequestId }));
  app.use(httpMetrics(deps.metrics, deps.gatewayId));
  app.use(securityHeaders(deps.directory, deps.publicEntry, deps.attachments?.origin));
  const clock = deps.clock ?? systemClock;
  // Upload bytes are the body itself (not JSON), counted as they stream: before the JSON parser.
  app.use('/api/uploads', uploadContentRouter(deps.attachments, clock));
  app.use(jsonBody());

  mountHealthRoutes(app, deps.readiness ?? new GatewayReadiness());
  mountMetricsRoute(app, deps.metrics, deps.metricsServedElsewhere ?? false);
  app.use('/api', apiDocsRouter());
  app.use('/api/auth', authRouter(deps.accounts, deps.sessions));
  app.use('/api/auth', sessionRouter(deps.sessions));
  const auth = bearerAuth(deps.sessions);
  const assignments = {
    ok: deps.metrics.assignments.labels({ gateway: deps.gatewayId, outcome: 'ok' }),
    noNodes: deps.metrics.assignments.labels({ gateway: deps.gatewayId, outcome: 'no_nodes' }),
  };
  app.use('/api/nodes', auth, nodesRouter(deps.assigner, assignments));
  app.use('/api/admin', auth, adminRouter(deps.admin));
  app.use('/api/uploads', auth, uploadsRouter(deps.attachments));
  app.use('/api/attachments', auth, attachmentsRouter(deps.attachments));
  // Download links carry their own signature (an <img src> sends no Bearer).
  app.use('/api/blobs', blobsRouter(deps.attachments, clock));
  app.use('/api/push', vapidKeyRouter(deps.push));
  app.use('/api/push', pushSubscriptionsRouter(deps.push, auth));
  app.use('/api', auth, meRouter(deps.accounts, deps.sessions));
  app.use('/api', notFoundHandler);

  // The browser build of socket.io-client, for pages that load it with a script tag.
  app.get('/vendor/socket.io.min.js', (_req, res) => res.sendFile(require.resolve('socket.io-client/dist/socket.io.min.js')));
  if (deps.staticDir && fs.existsSync(deps.staticDir)) {
    // Files and the app shell are one route label (`static`): their paths are the clients' to choose.
    app.use(express.static(deps.staticDir, { index: 'index.html', maxAge: '1h', setHeaders: (res) => labelRoute(res.req, STATIC_ROUTE) }));
    // Client-side routes fall back to the app shell.
    app.get(/^\/(?!api\/).*/, (req, res) => {
      labelRoute(req, STATIC_ROUTE);
      res.sendFile(path.join(deps.staticDir as string, 'index.html'));
    });
  }
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
