import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { ERROR_CODES, ParleyError, toParleyError, type ProblemBody } from '@parley/protocol';
import type { Logger } from '@parley/util';
import { JSON_BODY_LIMIT } from './json-body';

/** Sends an RFC 9457 problem document carrying Parley's stable error code. */
export function sendProblem(res: Response, error: ParleyError): void {
  const body: ProblemBody = {
    type: 'about:blank',
    title: ERROR_CODES[error.code].title,
    status: error.status,
    code: error.code,
    detail: error.message,
  };
  if (error.retryAfterMs !== undefined) {
    body.retryAfterMs = error.retryAfterMs;
    res.setHeader('Retry-After', Math.ceil(error.retryAfterMs / 1000));
  }
  res.status(error.status).type('application/problem+json').send(JSON.stringify(body));
}

export const notFoundHandler: RequestHandler = (_req, res) => {
  sendProblem(res, new ParleyError('NOT_FOUND', 'no such endpoint'));
};

/**
 * Last middleware: typed errors map to their status; a body the client got
 * wrong is its mistake (4xx, a warning without stack); anything else is a
 * logged 500 without details.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    // The request's own logger (access-log.ts) when there is one: its lines carry the request id.
    const log = (req as { log?: Logger }).log ?? logger;
    const bodyError = bodyErrorOf(err);
    const error = bodyError ?? toParleyError(err);
    if (bodyError || error.code === 'UNSUPPORTED_MEDIA_TYPE') {
      log.warn({ method: req.method, path: req.path, code: error.code, reason: bodyError ? parserReason(err) : undefined }, 'request body refused');
    } else if (error.code === 'INTERNAL' || error.code === 'UNAVAILABLE') {
      log.error({ err: error.cause ?? error, method: req.method, path: req.path }, 'request failed');
    }
    sendProblem(res, error);
  };
}

/** body-parser's failures by their `type`: what the client sent wrong, never a 500. */
const BODY_ERRORS: Readonly<Record<string, () => ParleyError>> = {
  'entity.too.large': () => new ParleyError('PAYLOAD_TOO_LARGE', `body: larger than the ${JSON_BODY_LIMIT} the gateway reads`),
  'charset.unsupported': () => new ParleyError('UNSUPPORTED_MEDIA_TYPE', 'body: charset not supported; send UTF-8'),
  'encoding.unsupported': () => new ParleyError('UNSUPPORTED_MEDIA_TYPE', 'body: content encoding not supported'),
  'entity.parse.failed': () => new ParleyError('INVALID_ARGUMENT', 'body: malformed JSON'),
  'request.size.invalid': () => new ParleyError('INVALID_ARGUMENT', 'body: its length differs from Content-Length'),
  'request.aborted': () => new ParleyError('INVALID_ARGUMENT', 'body: the request was aborted'),
};

function bodyErrorOf(err: unknown): ParleyError | undefined {
  const reason = parserReason(err);
  return reason !== undefined && Object.hasOwn(BODY_ERRORS, reason) ? BODY_ERRORS[reason]?.() : undefined;
}

/** body-parser marks its errors with a `type` such as `entity.too.large`. */
function parserReason(err: unknown): string | undefined {
  const type = typeof err === 'object' && err !== null ? (err as { type?: unknown }).type : undefined;
  return typeof type === 'string' ? type : undefined;
}
