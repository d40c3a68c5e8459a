import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { ParleyMetrics } from './parley-metrics';

/**
 * `parley_http_request_duration_seconds{gateway,method,route,status}` with
 * bounded labels whatever the clients send:
 *
 * - `route` is the Express route PATTERN that answered (`/api/users/:id`),
 *   never the raw path; `static` for the web client's files and its app shell
 *   (see `labelRoute`); `unmatched` when no route answered: 404s, and requests
 *   refused by middleware before routing (no bearer token on an API mount, a
 *   malformed JSON body). Routers must be mounted at fixed paths (no `:param`
 *   in `app.use`), so that the mount path is a pattern too.
 * - `method` is one of the methods below or `other`; `status` a 3-digit code.
 */

export const UNMATCHED_ROUTE = 'unmatched';
export const STATIC_ROUTE = 'static';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Set on the request once a route matches: the pattern, mount path included. */
const PATTERN = Symbol('parley route pattern');
/** A fixed label a handler chose (static files), preferred over the pattern. */
const LABEL = Symbol('parley route label');

interface Labelled {
  [PATTERN]?: string;
  [LABEL]?: string;
}

/** Names the request's route for metrics and access logs, e.g. `static` for the web client's files. */
export function labelRoute(req: IncomingMessage, label: string): void {
  (req as IncomingMessage & Labelled)[LABEL] = label;
}

/** The bounded route label of a request: a fixed label, the matched pattern, or `unmatched`. */
export function routeLabelOf(req: IncomingMessage): string {
  const labelled = req as IncomingMessage & Labelled;
  return labelled[LABEL] ?? labelled[PATTERN] ?? UNMATCHED_ROUTE;
}

/** `GET` … `OPTIONS`, anything else `other` (Node's parser accepts some 30 methods). */
export function methodLabelOf(method: string | undefined): string {
  return method !== undefined && METHODS.has(method) ? method : 'other';
}

/**
 * Records the route pattern as Express picks the route. `req.route` is set
 * while `req.baseUrl` is still the mount path of the router holding the route;
 * by the time the response ends (after an error handler, say) the router has
 * restored `baseUrl`, so the pattern is taken at that moment, not at the end.
 */
export function trackRoutePattern(req: Request): void {
  let route: unknown;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set: (value: unknown) => {
      route = value;
      const path = (value as { path?: unknown } | undefined)?.path;
      if (typeof path === 'string' || path instanceof RegExp) (req as Request & Labelled)[PATTERN] = joinPattern(req.baseUrl, path);
    },
  });
}

function joinPattern(mount: string, path: string | RegExp): string {
  if (path instanceof RegExp) return `${mount}${String(path)}`;
  return (mount + (path === '/' ? '' : path)).replace(/\/+$/, '') || '/';
}

/**
 * The first middleware of a gateway's app: times every request from here to
 * the end of its response (`finish`; a request the client aborted is not
 * counted) and observes it under the labels above.
 */
export function httpMetrics(metrics: ParleyMetrics, gatewayId: string): RequestHandler {
  const histogram = metrics.httpDuration;
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    trackRoutePattern(req);
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      histogram.observe({ gateway: gatewayId, method: methodLabelOf(req.method), route: routeLabelOf(req), status: String(res.statusCode) }, seconds);
    });
    next();
  };
}
