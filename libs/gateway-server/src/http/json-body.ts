import express, { type RequestHandler } from 'express';
import { ParleyError } from '@parley/protocol';

/** The largest REST body the gateway reads; the biggest real one (a profile update) is under 2 KiB. */
export const JSON_BODY_LIMIT = '64kb';

/**
 * Request bodies are JSON or nothing: a body of another media type is refused
 * (415) before it is read, which also keeps HTML forms (no JSON type) from
 * posting to the API. A JSON body over the limit, in a charset other than
 * UTF-8 or malformed is refused by the parser; problem.ts answers those.
 */
export function jsonBody(): RequestHandler[] {
  return [refuseOtherMediaTypes, express.json({ limit: JSON_BODY_LIMIT })];
}

const refuseOtherMediaTypes: RequestHandler = (req, _res, next) => {
  // null: the request has no body (GET, a POST without one), which is fine; so is an empty one
  // (`Content-Length: 0`, what fetch sends for a POST without a body, e.g. logout-all).
  if (req.is('application/json') === false && req.headers['content-length'] !== '0') {
    throw new ParleyError('UNSUPPORTED_MEDIA_TYPE', 'body: must be application/json');
  }
  next();
};
