import { EventEmitter } from 'node:events';
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
  /** ACL token for the calls the client has no method for (never logged). */
  token?: string;
  /** Frees the keep-alive agent when we built the client. */
  close(): void;
}

export function connectConsul(options: ConsulConnectionOptions): ConsulConnection {
  const { host, port, secure } = parseConsulAddress(options.address ?? 'http://127.0.0.1:8500');
  const endpoint = `${host}:${port}`;
  const { token } = options;
  if (options.client) return { client: options.client, endpoint, token, close: () => undefined };
  const client = new Consul({ host, port, secure, defaults: token ? { token } : undefined });
  return { client, endpoint, token, close: () => client.destroy() };
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

/** A papi request context: papi aborts the call on 'cancel', and refuses to start one once `canceled` is set. */
class CancelContext extends EventEmitter {
  canceled = false;
  cancel(): void {
    this.canceled = true;
    this.emit('cancel');
  }
}

/** Thrown by cancellable() when its signal aborted. */
export class ConsulCallCancelled extends Error {
  constructor() {
    super('consul call cancelled');
    this.name = 'ConsulCallCancelled';
  }
}

/**
 * Runs one consul client call that `signal` cancels: the request on the wire
 * is aborted at once (papi's `ctx`), not left to run out its timeout.
 */
export async function cancellable<T>(signal: AbortSignal, call: (ctx: EventEmitter) => Promise<T>): Promise<T> {
  if (signal.aborted) throw new ConsulCallCancelled();
  const ctx = new CancelContext();
  const cancel = (): void => ctx.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    return await consulCall(call(ctx));
  } catch (err) {
    throw signal.aborted ? new ConsulCallCancelled() : err;
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

/** What we use of the client's HTTP layer (papi), which the client's typings do not show. */
interface PapiGet {
  _get(opts: { name: string; path: string; params: Record<string, string>; headers: Record<string, string>; timeout: number; ctx: EventEmitter }): Promise<unknown>;
}

/**
 * Whether the local agent knows service `id`: GET /v1/agent/service/:id (404 =
 * not known). The client has no method for it, so this goes through its own
 * HTTP layer: the same address, TLS and keep-alive agent, with the ACL token.
 */
export async function agentKnowsService(
  connection: ConsulConnection,
  id: string,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<boolean> {
  const papi = connection.client as unknown as PapiGet;
  const headers: Record<string, string> = connection.token ? { 'x-consul-token': connection.token } : {};
  try {
    await cancellable(options.signal, (ctx) =>
      papi._get({ name: 'agent.service.get', path: '/agent/service/{id}', params: { id }, headers, timeout: options.timeoutMs, ctx }),
    );
    return true;
  } catch (err) {
    if (consulStatus(err) === 404) return false;
    throw err;
  }
}
