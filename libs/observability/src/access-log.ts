import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type pino from 'pino';
import { pinoHttp } from 'pino-http';
import type { Logger } from '@parley/util';
import { routeLabelOf } from './http-metrics';

/**
 * Access logs (pino-http) and request ids. Each request gets an id: the
 * caller's `X-Request-Id` when it is a safe token (a proxy's or a client's id
 * follows the request through), else a new one; it is echoed in the response
 * header and bound to every line logged through `req.log` as `requestId`.
 *
 * What a line holds is chosen here, field by field: method, path (no query
 * string: it may carry search terms), route pattern, client address, status
 * and time. Never headers (Authorization, cookies), bodies or tokens; the
 * app logger's redaction (REDACTED_PATHS) is a second guard behind this.
 *
 * Levels: probes (/livez, /readyz, /healthz, /metrics) at debug, whatever
 * they answer (Consul polls them every few seconds); 5xx at error; 4xx at
 * warn without a stack (the client's mistake, not ours); the rest at info.
 */

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** An incoming id is kept only if it is this: short, no spaces, nothing a log viewer could misread. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** Paths are cut to this many characters in a log line (a client chooses their length). */
export const MAX_LOGGED_PATH = 256;

const PROBES = new Set(['/livez', '/readyz', '/healthz', '/metrics']);

export interface AccessLogOptions {
  /**
   * The app's logger. A pino logger (createLogger) writes the access lines and
   * gives each request `req.log`; any other Logger (test stubs) gets request
   * ids and the header only, no access lines.
   */
  logger: Logger;
  /** New request ids (a ULID generator in the apps). @default crypto.randomUUID */
  newId?: () => string;
}

/** The caller's id if it is safe to keep, else undefined. */
export function acceptedRequestId(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && REQUEST_ID_PATTERN.test(header) ? header : undefined;
}

/** Gives the request its id (req.id) and echoes it in the response. */
function assignRequestId(req: IncomingMessage, res: ServerResponse, newId: () => string): string {
  const id = acceptedRequestId(req.headers['x-request-id']) ?? newId();
  req.id = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/** The request-id and access-log middleware; mount it first. */
export function accessLog(options: AccessLogOptions): RequestHandler {
  const newId = options.newId ?? randomUUID;
  const logger = asPino(options.logger);
  if (!logger) {
    return (req, res, next) => {
      assignRequestId(req, res, newId);
      next();
    };
  }
  return pinoHttp({
    logger,
    genReqId: (req, res) => assignRequestId(req, res, newId),
    customAttributeKeys: { reqId: 'requestId' },
    // req.log carries only the id; the request's fields go on its one access line.
    quietReqLogger: true,
    wrapSerializers: false,
    serializers: { req: requestFields, res: responseFields },
    customLogLevel: levelOf,
    customSuccessMessage: (req, res) => `${req.method ?? ''} ${routeLabelOf(req)} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method ?? ''} ${routeLabelOf(req)} ${res.statusCode}`,
    customSuccessObject: (req, _res, val: { res: ServerResponse; responseTime: number }) => ({ route: routeLabelOf(req), res: val.res, responseTime: val.responseTime }),
    // pino-http makes up an Error (with a stack) for any 5xx: the error handler already logged the real one.
    customErrorObject: (req, res, _err, val: { res: ServerResponse; responseTime: number }) => ({ route: routeLabelOf(req), res: val.res, responseTime: val.responseTime }),
  });
}

function levelOf(req: IncomingMessage, res: ServerResponse, err?: Error): pino.LevelWithSilent {
  if (PROBES.has(pathOf(req.url))) return 'debug';
  if (err || res.statusCode >= 500) return 'error';
  if (res.statusCode >= 400) return 'warn';
  return 'info';
}

function requestFields(req: IncomingMessage): Record<string, unknown> {
  const path = pathOf((req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url);
  return {
    method: req.method,
    path: path.length > MAX_LOGGED_PATH ? `${path.slice(0, MAX_LOGGED_PATH)}…` : path,
    // Express's req.ip follows `trust proxy` (the client behind a trusted proxy, never a forged header).
    ip: (req as IncomingMessage & { ip?: string }).ip ?? req.socket.remoteAddress,
  };
}

function responseFields(res: ServerResponse): Record<string, unknown> {
  return { statusCode: res.statusCode };
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** A pino logger (pino-http needs its child options, levels and serializers), or undefined for another Logger. */
function asPino(logger: Logger): pino.Logger | undefined {
  const candidate = logger as Partial<pino.Logger>;
  return typeof candidate.levels === 'object' && typeof candidate.bindings === 'function' ? (logger as pino.Logger) : undefined;
}
