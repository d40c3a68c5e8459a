import type { IncomingMessage, ServerResponse } from 'node:http';
import { filteredHeader, requireServiceRead, resolveCaller, sendFiltered, type Caller } from './acl';
import type { BlockingIndex } from './blocking-index';
import type { Catalog } from './catalog';
import { agentChecks, agentService, agentServices, healthEntry, type NodeInfo } from './consul-json';
import { parseDuration } from './decode';
import { HttpError, readJson, requireMethod, sendJson, sendText } from './http-io';
import type { SimulatedRequest } from './types';

const MAX_WAIT_MS = 10 * 60_000; // Consul caps `wait` at 10 minutes
const DEFAULT_WAIT_MS = 5 * 60_000; // and defaults it to 5 minutes
const MAX_REQUEST_LOG = 10_000;

export interface ApiContext {
  catalog: Catalog;
  index: BlockingIndex;
  node: NodeInfo;
  aclToken: string | undefined;
  /** True while setUnavailable(true) is in force. */
  unavailable(): boolean;
}

/** The agent HTTP API endpoints Parley uses, with the request log tests read. */
export class ConsulHttpApi {
  private readonly log: SimulatedRequest[] = [];

  constructor(private readonly ctx: ApiContext) {}

  /** Every request received since start (capped at the last 10 000). */
  requests(): readonly SimulatedRequest[] {
    return [...this.log];
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const parsed = new URL(req.url ?? '/', 'http://consul');
    const query = Object.fromEntries(parsed.searchParams);
    const method = req.method ?? 'GET';
    this.log.push({ method, path: parsed.pathname, query, at: Date.now() });
    if (this.log.length > MAX_REQUEST_LOG) this.log.shift();

    res.setHeader('X-Consul-Default-ACL-Policy', this.ctx.aclToken === undefined ? 'allow' : 'deny');
    this.route(req, res, method, parsed.pathname, parsed.searchParams).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof Error ? err.message : String(err);
      if (!res.headersSent) sendText(res, status, message);
    });
  }

  private async route(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
    params: URLSearchParams,
  ): Promise<void> {
    const { catalog, node } = this.ctx;
    if (this.ctx.unavailable()) throw new HttpError(500, 'No cluster leader');
    if (path === '/v1/status/leader') {
      requireMethod(method, 'GET'); // status endpoints need no ACL
      return sendJson(res, 200, '127.0.0.1:8300');
    }
    const caller = resolveCaller(req, params, this.ctx.aclToken);
    if (path === '/v1/agent/service/register') {
      requireMethod(method, 'PUT');
      catalog.register(await readJson(req), caller);
      return sendJson(res, 200, null, {}, false);
    }
    // The id group of each pattern is there exactly when the path matches.
    const deregisterId = /^\/v1\/agent\/service\/deregister\/(.+)$/.exec(path)?.[1];
    if (deregisterId !== undefined) {
      requireMethod(method, 'PUT');
      catalog.deregister(decodeURIComponent(deregisterId), caller);
      return sendJson(res, 200, null, {}, false);
    }
    const serviceId = /^\/v1\/agent\/service\/([^/]+)$/.exec(path)?.[1];
    if (serviceId !== undefined) {
      requireMethod(method, 'GET');
      const id = decodeURIComponent(serviceId);
      const found = catalog.get(id);
      // Consul: 404 "unknown service ID: <id>"; a token that may not read the service gets 403.
      if (!found) throw new HttpError(404, `unknown service ID: ${id}`);
      requireServiceRead(caller, found.name);
      return sendJson(res, 200, agentService(node, found));
    }
    if (path === '/v1/agent/services') {
      requireMethod(method, 'GET');
      return sendFiltered(res, caller, agentServices(node, catalog.all()));
    }
    if (path === '/v1/agent/checks') {
      requireMethod(method, 'GET');
      return sendFiltered(res, caller, agentChecks(node, catalog.all()));
    }
    const service = /^\/v1\/health\/service\/(.+)$/.exec(path)?.[1];
    if (service !== undefined) {
      requireMethod(method, 'GET');
      return this.healthService(req, res, decodeURIComponent(service), params, caller);
    }
    throw new HttpError(404, `404 page not found`);
  }

  /** health/service/:name, with blocking queries. */
  private async healthService(
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    params: URLSearchParams,
    caller: Caller,
  ): Promise<void> {
    const { catalog, index, node } = this.ctx;
    const minIndex = params.has('index') ? Number(params.get('index')) : 0;
    if (!Number.isSafeInteger(minIndex) || minIndex < 0) throw new HttpError(400, 'Invalid index');
    let waitMs = DEFAULT_WAIT_MS;
    if (params.has('wait')) {
      const parsed = parseDuration(params.get('wait'));
      if (parsed === undefined) throw new HttpError(400, 'Invalid wait time');
      waitMs = Math.min(parsed, MAX_WAIT_MS);
    }
    // Consul blocks while the result's index is not above the client's index,
    // for at most wait + a random wait/16 to spread out wake-ups.
    if (minIndex > 0 && index.indexFor(name) <= minIndex) {
      const budget = waitMs + Math.floor(Math.random() * (waitMs / 16));
      const closed = await index.block(req, name, minIndex, budget);
      if (closed) return;
    }
    const passing = params.has('passing') && !/^(false|0)$/i.test(params.get('passing') ?? '');
    const tag = params.get('tag');
    const entries = [...catalog.all()]
      .filter((s) => s.name === name)
      .filter((s) => !tag || s.tags.includes(tag))
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((s) => healthEntry(node, s))
      .filter((e) => !passing || e.Checks.every((c) => c.Status === 'passing'));
    const hidden = caller === 'anonymous' && entries.length > 0;
    sendJson(res, 200, hidden ? [] : entries, { 'X-Consul-Index': String(index.indexFor(name)), ...filteredHeader(hidden) });
  }
}
