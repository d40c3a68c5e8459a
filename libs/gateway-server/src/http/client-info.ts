import type { Request } from 'express';
import type { ClientInfo } from '@parley/domain';

/**
 * The client as the throttles see it. `req.ip` is the socket's peer unless
 * Express's `trust proxy` (PARLEY_TRUST_PROXY) says which proxies'
 * X-Forwarded-For to believe; without it every client behind nginx would
 * share nginx's address.
 */
export function clientInfo(req: Request): ClientInfo {
  const userAgent = req.headers['user-agent'];
  return { ip: req.ip ?? req.socket.remoteAddress ?? 'unknown', ...(userAgent ? { userAgent } : {}) };
}
