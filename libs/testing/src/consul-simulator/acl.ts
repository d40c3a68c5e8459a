import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, sendJson } from './http-io';

/**
 * ACLs under default policy deny, with one token holding every right
 * (options.aclToken) and the anonymous token holding none.
 */

const ANONYMOUS_ACCESSOR = '00000000-0000-0000-0000-000000000002';

/** Who a request is, for ACLs: every right (ACLs off, or the configured token) or the anonymous token. */
export type Caller = 'privileged' | 'anonymous';

/** Resolves the request's token the way Consul looks for it; an unknown one is refused outright. */
export function resolveCaller(req: IncomingMessage, params: URLSearchParams, aclToken: string | undefined): Caller {
  if (aclToken === undefined) return 'privileged';
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const header = req.headers['x-consul-token'];
  const token = (Array.isArray(header) ? header[0] : header) || bearer || params.get('token') || '';
  if (token === '') return 'anonymous';
  if (token !== aclToken) throw new HttpError(403, 'ACL not found');
  return 'privileged';
}

export function requireServiceWrite(caller: Caller, serviceName: string): void {
  requireServiceRight(caller, serviceName, 'write');
}

export function requireServiceRead(caller: Caller, serviceName: string): void {
  requireServiceRight(caller, serviceName, 'read');
}

function requireServiceRight(caller: Caller, serviceName: string, right: 'read' | 'write'): void {
  if (caller !== 'anonymous') return;
  throw new HttpError(
    403,
    `Permission denied: token with AccessorID '${ANONYMOUS_ACCESSOR}' lacks permission 'service:${right}' on "${serviceName}"`,
  );
}

/**
 * Consul 1.11–1.20 flags a list it filtered by ACL, for anonymous callers too
 * (1.21 stopped telling anonymous callers).
 */
export function filteredHeader(hidden: boolean): Record<string, string> {
  return hidden ? { 'X-Consul-Results-Filtered-By-ACLs': 'true' } : {};
}

/** An agent listing: the anonymous token may read none of it. */
export function sendFiltered(res: ServerResponse, caller: Caller, listing: Record<string, unknown>): void {
  const hidden = caller === 'anonymous' && Object.keys(listing).length > 0;
  sendJson(res, 200, hidden ? {} : listing, filteredHeader(hidden));
}
