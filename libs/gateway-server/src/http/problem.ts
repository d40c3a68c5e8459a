import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { ERROR_CODES, ParleyError, toParleyError, type ProblemBody } from '@parley/protocol';
import type { Logger } from '@parley/util';

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

/** Last middleware: typed errors map to their status; anything else is a logged 500 without details. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const error = isBodyParseError(err)
      ? new ParleyError('INVALID_ARGUMENT', 'body: malformed JSON')
      : toParleyError(err);
    if (error.code === 'INTERNAL' || error.code === 'UNAVAILABLE') {
      logger.error({ err: error.cause ?? error, method: req.method, path: req.path }, 'request failed');
    }
    sendProblem(res, error);
  };
}

function isBodyParseError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { type?: unknown }).type === 'entity.parse.failed';
}
