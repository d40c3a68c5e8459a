import { types } from 'node:util';
import Consul from 'consul';
import { errorMessage } from './logger';

/** How to reach the Consul agent; shared by the registrar and the directory. */
export interface ConsulConnectionOptions {
  /**
   * Agent HTTP address, in CONSUL_HTTP_ADDR form: `host:port`,
   * `http://host:port` or `https://host:port`.
   * @default 'http://127.0.0.1:8500'
   */
  address?: string;
  /** ACL token sent as X-Consul-Token; never logged. */
  token?: string;
  /** A ready client to use instead of building one from address/token (not destroyed by us). */
  client?: Consul;
}

export interface ConsulConnection {
  client: Consul;
  /** host:port, safe to log (no credentials). */
  endpoint: string;
  /** Frees the keep-alive agent when we built the client. */
  close(): void;
}

export function connectConsul(options: ConsulConnectionOptions): ConsulConnection {
  const { host, port, secure } = parseConsulAddress(options.address ?? 'http://127.0.0.1:8500');
  const endpoint = `${host}:${port}`;
  if (options.client) return { client: options.client, endpoint, close: () => undefined };
  const client = new Consul({ host, port, secure, defaults: options.token ? { token: options.token } : undefined });
  return { client, endpoint, close: () => client.destroy() };
}

export function parseConsulAddress(address: string): { host: string; port: number; secure: boolean } {
  const withScheme = /^[a-z]+:\/\//i.test(address) ? address : `http://${address}`;
  const url = new URL(withScheme);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`unsupported Consul address scheme ${url.protocol}`);
  }
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : 8500,
    secure: url.protocol === 'https:',
  };
}

/** HTTP status of a failed consul client call (papi ResponseError), if any. */
export function consulStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const response = (err as { response?: { statusCode?: unknown } }).response;
  return typeof response?.statusCode === 'number' ? response.statusCode : undefined;
}

/** Consul refused the request's ACL token (unknown token, or one without the permission). */
export function isAclRefusal(err: unknown): boolean {
  const status = consulStatus(err);
  return status === 401 || status === 403;
}

/**
 * What Consul answered, for errors and logs: the status and Consul's own text
 * ("ACL not found", "Permission denied: … lacks permission 'service:write' …").
 * Built from the response only, never from the request, so never the token.
 */
export function consulErrorText(err: unknown): string {
  const status = consulStatus(err);
  const body = (err as { response?: { body?: unknown } } | null)?.response?.body;
  const text = typeof body === 'string' && body.trim() ? body.trim().slice(0, 300) : errorMessage(err);
  return status === undefined ? text : `${status} ${text}`;
}

/** Connection failures, timeouts and 5xx/429 may pass; other 4xx answers will not. */
export function isRetryable(err: unknown): boolean {
  if ((err as { isValidation?: boolean } | null)?.isValidation) return false; // client-side argument check
  const status = consulStatus(err);
  return status === undefined || status >= 500 || status === 429;
}

/** Consul's Go-style duration string from milliseconds. */
export function goDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${Math.round(ms)}ms`;
}

/**
 * Awaits a consul client call and throws if it *resolved* with an error: its
 * HTTP layer (papi) tells errors apart with `instanceof Error`, which misses
 * socket errors created in another realm (e.g. under jest's vm sandbox).
 */
export async function consulCall<T>(call: Promise<T>): Promise<T> {
  const result = await call;
  if (types.isNativeError(result)) throw result;
  return result;
}
