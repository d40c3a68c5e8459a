import type { Express } from 'express';
import { silentLogger } from '@parley/util';
import { createHttpApp, type HttpAppDeps } from '../http/http-app';
import { testGatewayMetrics } from './gateway-metrics';

/** What a route spec gives: the routes it exercises, and `sessions` as far as its requests reach them. */
export type RouteSpecDeps = Partial<Omit<HttpAppDeps, 'sessions'>> & { sessions?: unknown };

/**
 * The gateway's HTTP app for a route spec: the spec's own deps over empty
 * ones for everything its requests never reach (a handler calling one fails
 * loudly), fresh metrics, no logs, and no healthy node (read by the security
 * headers on every answer).
 */
export function routeSpecApp(deps: RouteSpecDeps): Express {
  return createHttpApp({
    ...testGatewayMetrics(),
    accounts: {} as HttpAppDeps['accounts'],
    assigner: {} as HttpAppDeps['assigner'],
    directory: { healthyNodes: () => [] } as unknown as HttpAppDeps['directory'],
    logger: silentLogger,
    ...deps,
    sessions: (deps.sessions ?? {}) as HttpAppDeps['sessions'],
  });
}
