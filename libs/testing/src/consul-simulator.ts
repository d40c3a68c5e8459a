import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TestService } from './service';

/**
 * A Consul agent HTTP API simulator for tests: no Consul binary can be installed
 * on the build machines. It follows Consul's documented behaviour for the few
 * endpoints Parley uses (agent service registration, health/service with
 * blocking queries, HTTP checks run on their interval) and nothing more.
 *
 * Deliberate simplifications, each noted where it happens:
 * - one agent, one node, one datacenter; the catalog is the agent's local state;
 * - only HTTP checks (Consul also has TTL, TCP, gRPC, script… checks);
 * - X-Consul-Index is per service name (like Consul's fine-grained health index),
 *   falling back to the highest index for names never seen;
 * - ACLs (options.aclToken) know one token with every right, and the anonymous
 *   token with none, under default policy deny.
 */

export interface ConsulSimulatorOptions {
  /** Node name reported in health entries. @default 'parley-consul-sim' */
  nodeName?: string;
  /** @default 'dc1' */
  datacenter?: string;
  /** Consul raises check intervals below 1s to 1s. @default 1_000 */
  minCheckIntervalMs?: number;
  /** Consul staggers a check's first run randomly within its interval. @default true */
  staggerChecks?: boolean;
  /** Period of the critical-service reaper (Consul: 30s). @default 30_000 */
  reapIntervalMs?: number;
  /** Floor Consul applies to DeregisterCriticalServiceAfter (Consul: 1m). @default 60_000 */
  minDeregisterCriticalMs?: number;
  /**
   * How setUnavailable(true) fails clients: 'refuse' closes the listener and
   * destroys open sockets (connection refused / reset); 'no-leader' keeps
   * listening but answers every request 500 "No cluster leader", as a Consul
   * agent does while its servers have lost quorum.
   * @default 'refuse'
   */
  outage?: 'refuse' | 'no-leader';
  /** First X-Consul-Index value; Consul's index is never 0. @default 10 */
  initialIndex?: number;
  /**
   * Enables ACLs with default policy deny; this is the only token, with every
   * right. Requests carry it as Consul reads it: `X-Consul-Token`,
   * `Authorization: Bearer`, or `?token=`. An unknown token gets 403 "ACL not
   * found"; no token is the anonymous token, which may not write (403
   * "Permission denied: … lacks permission 'service:write' …") and reads
   * lists filtered empty (with X-Consul-Results-Filtered-By-ACLs: true).
   * @default undefined (ACLs disabled)
   */
  aclToken?: string;
}

export type CheckStatus = 'passing' | 'warning' | 'critical';

export interface SimulatedCheck {
  checkId: string;
  name: string;
  status: CheckStatus;
  output: string;
  http: string;
  intervalMs: number;
  timeoutMs: number;
  deregisterCriticalServiceAfterMs?: number;
}

export interface SimulatedService {
  id: string;
  name: string;
  address: string;
  port: number;
  tags: string[];
  meta: Record<string, string>;
  checks: SimulatedCheck[];
}

export interface SimulatedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  at: number;
}

export interface ConsulSimulator extends TestService {
  /** http://127.0.0.1:<port> (no /v1). */
  url: string;
  host: string;
  port: number;
  /**
   * Takes the HTTP API down (see options.outage) or brings it back on the same
   * port. The catalog and the check runner live on, like Consul servers behind
   * an unreachable agent.
   */
  setUnavailable(on: boolean): Promise<void>;
  /** Snapshot of the registered services and their checks. */
  services(): SimulatedService[];
  /** Every request received since start (capped at the last 10 000). */
  requests(): readonly SimulatedRequest[];
  /** Highest index handed out so far. */
  currentIndex(): number;
  /**
   * Simulates a snapshot restore: the index goes backwards while the state is
   * kept. Blocking clients holding a higher index wait until `wait` elapses,
   * then see a lower X-Consul-Index and must reset theirs.
   */
  resetIndex(value?: number): void;
}

const MAX_WAIT_MS = 10 * 60_000; // Consul caps `wait` at 10 minutes
const DEFAULT_WAIT_MS = 5 * 60_000; // and defaults it to 5 minutes
const DEFAULT_CHECK_TIMEOUT_MS = 10_000;
const MAX_CHECK_OUTPUT = 4 * 1024; // Consul keeps at most 4KB of check output
const MAX_REQUEST_LOG = 10_000;
const ANONYMOUS_ACCESSOR = '00000000-0000-0000-0000-000000000002';

/** Who a request is, for ACLs: every right (ACLs off, or the configured token) or the anonymous token. */
type Caller = 'privileged' | 'anonymous';

interface CheckState {
  def: SimulatedCheck;
  serviceId: string;
  createIndex: number;
  modifyIndex: number;
  criticalSince?: number;
  timer?: NodeJS.Timeout;
  inFlight?: http.ClientRequest;
}

interface ServiceState {
  id: string;
  name: string;
  address: string;
  port: number;
  tags: string[];
  meta: Record<string, string>;
  createIndex: number;
  modifyIndex: number;
  checks: Map<string, CheckState>;
}

interface Waiter {
  name: string;
  minIndex: number;
  wake(): void;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startConsulSimulator(options: ConsulSimulatorOptions = {}): Promise<ConsulSimulator> {
  const sim = new Simulator(options);
  await sim.listen(0);
  return sim;
}

class Simulator implements ConsulSimulator {
  readonly host = '127.0.0.1';
  port = 0;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly servicesById = new Map<string, ServiceState>();
  /** Index of the last change per service name (fine-grained blocking). */
  private readonly nameIndex = new Map<string, number>();
  private readonly waiters = new Set<Waiter>();
  private readonly log: SimulatedRequest[] = [];
  private readonly nodeId = randomUUID();
  private readonly nodeName: string;
  private readonly datacenter: string;
  private readonly minCheckIntervalMs: number;
  private readonly staggerChecks: boolean;
  private readonly minDeregisterCriticalMs: number;
  private readonly outage: 'refuse' | 'no-leader';
  private readonly reaper: NodeJS.Timeout;
  private readonly aclToken: string | undefined;
  private index: number;
  private unavailable = false;
  private stopped = false;

  constructor(options: ConsulSimulatorOptions) {
    this.nodeName = options.nodeName ?? 'parley-consul-sim';
    this.datacenter = options.datacenter ?? 'dc1';
    this.minCheckIntervalMs = options.minCheckIntervalMs ?? 1_000;
    this.staggerChecks = options.staggerChecks ?? true;
    this.minDeregisterCriticalMs = options.minDeregisterCriticalMs ?? 60_000;
    this.outage = options.outage ?? 'refuse';
    this.aclToken = options.aclToken;
    this.index = Math.max(1, options.initialIndex ?? 10);
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.reaper = setInterval(() => this.reap(), options.reapIntervalMs ?? 30_000);
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        if (address && typeof address === 'object') this.port = address.port;
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.reaper);
    for (const service of this.servicesById.values()) this.stopChecks(service);
    await this.closeListener();
  }

  async setUnavailable(on: boolean): Promise<void> {
    if (this.stopped || on === this.unavailable) return;
    this.unavailable = on;
    if (this.outage === 'no-leader') {
      // Blocking queries in flight fail as the agent loses its servers.
      if (on) this.destroySockets();
      return;
    }
    if (on) await this.closeListener();
    else await this.listen(this.port);
  }

  services(): SimulatedService[] {
    return [...this.servicesById.values()].map((s) => ({
      id: s.id,
      name: s.name,
      address: s.address,
      port: s.port,
      tags: [...s.tags],
      meta: { ...s.meta },
      checks: [...s.checks.values()].map((c) => ({ ...c.def })),
    }));
  }

  requests(): readonly SimulatedRequest[] {
    return [...this.log];
  }

  currentIndex(): number {
    return this.index;
  }

  resetIndex(value = 1): void {
    this.index = Math.max(1, value);
    for (const name of this.nameIndex.keys()) this.nameIndex.set(name, this.index);
    this.notify();
  }

  // --- listener -----------------------------------------------------------

  private closeListener(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.destroySockets();
    });
  }

  private destroySockets(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  // --- HTTP routing -------------------------------------------------------

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const parsed = new URL(req.url ?? '/', 'http://consul');
    const query = Object.fromEntries(parsed.searchParams);
    const method = req.method ?? 'GET';
    this.log.push({ method, path: parsed.pathname, query, at: Date.now() });
    if (this.log.length > MAX_REQUEST_LOG) this.log.shift();

    res.setHeader('X-Consul-Default-ACL-Policy', this.aclToken === undefined ? 'allow' : 'deny');
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
    if (this.unavailable) throw new HttpError(500, 'No cluster leader');
    if (path === '/v1/status/leader') {
      requireMethod(method, 'GET'); // status endpoints need no ACL
      return sendJson(res, 200, '127.0.0.1:8300');
    }
    const caller = this.caller(req, params);
    if (path === '/v1/agent/service/register') {
      requireMethod(method, 'PUT');
      this.register(await readJson(req), caller);
      return sendJson(res, 200, null, {}, false);
    }
    // The id group of each pattern is there exactly when the path matches.
    const deregisterId = /^\/v1\/agent\/service\/deregister\/(.+)$/.exec(path)?.[1];
    if (deregisterId !== undefined) {
      requireMethod(method, 'PUT');
      this.deregister(decodeURIComponent(deregisterId), caller);
      return sendJson(res, 200, null, {}, false);
    }
    if (path === '/v1/agent/services') {
      requireMethod(method, 'GET');
      return sendFiltered(res, caller, this.agentServices());
    }
    if (path === '/v1/agent/checks') {
      requireMethod(method, 'GET');
      return sendFiltered(res, caller, this.agentChecks());
    }
    const service = /^\/v1\/health\/service\/(.+)$/.exec(path)?.[1];
    if (service !== undefined) {
      requireMethod(method, 'GET');
      return this.healthService(req, res, decodeURIComponent(service), params, caller);
    }
    throw new HttpError(404, `404 page not found`);
  }

  // --- ACLs ------------------------------------------------------------------

  /** Resolves the request's token the way Consul looks for it; an unknown one is refused outright. */
  private caller(req: IncomingMessage, params: URLSearchParams): Caller {
    if (this.aclToken === undefined) return 'privileged';
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const header = req.headers['x-consul-token'];
    const token = (Array.isArray(header) ? header[0] : header) || bearer || params.get('token') || '';
    if (token === '') return 'anonymous';
    if (token !== this.aclToken) throw new HttpError(403, 'ACL not found');
    return 'privileged';
  }

  private requireServiceWrite(caller: Caller, serviceName: string): void {
    if (caller !== 'anonymous') return;
    throw new HttpError(
      403,
      `Permission denied: token with AccessorID '${ANONYMOUS_ACCESSOR}' lacks permission 'service:write' on "${serviceName}"`,
    );
  }

  // --- agent endpoints ----------------------------------------------------

  private register(body: unknown, caller: Caller): void {
    const def = lowerKeys(body);
    const name = asString(def.name);
    if (!name) throw new HttpError(400, 'Missing service name');
    this.requireServiceWrite(caller, name);
    const id = asString(def.id) || name;
    const port = def.port === undefined ? 0 : Number(def.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new HttpError(400, 'Invalid service port');
    const rawChecks = Array.isArray(def.checks) ? def.checks : def.check ? [def.check] : [];
    const checkDefs = rawChecks.map((raw, i) => this.parseCheck(raw, id, name, rawChecks.length > 1 ? i + 1 : 0));

    const previous = this.servicesById.get(id);
    const index = this.bump(name);
    if (previous) {
      this.stopChecks(previous);
      if (previous.name !== name) this.nameIndex.set(previous.name, index);
    }
    const service: ServiceState = {
      id,
      name,
      address: asString(def.address),
      port,
      tags: Array.isArray(def.tags) ? def.tags.map(String) : [],
      meta: asStringRecord(def.meta),
      createIndex: previous?.createIndex ?? index,
      modifyIndex: index,
      checks: new Map(),
    };
    for (const checkDef of checkDefs) {
      // Re-registering keeps a check's current status unless one is given.
      const old = previous?.checks.get(checkDef.def.checkId);
      if (old && !checkDef.explicitStatus) checkDef.def.status = old.def.status;
      const state: CheckState = {
        def: checkDef.def,
        serviceId: id,
        createIndex: old?.createIndex ?? index,
        modifyIndex: index,
        criticalSince: checkDef.def.status === 'critical' ? (old?.criticalSince ?? Date.now()) : undefined,
      };
      service.checks.set(state.def.checkId, state);
    }
    this.servicesById.set(id, service);
    for (const check of service.checks.values()) this.scheduleCheck(check, true);
    this.notify();
  }

  private parseCheck(
    raw: unknown,
    serviceId: string,
    serviceName: string,
    ordinal: number,
  ): { def: SimulatedCheck; explicitStatus: boolean } {
    const c = lowerKeys(raw);
    const url = asString(c.http);
    if (!url) throw new HttpError(400, 'Invalid check: the simulator supports only HTTP checks');
    const intervalMs = parseDuration(c.interval);
    if (!intervalMs || intervalMs <= 0) throw new HttpError(400, 'Invalid check: HTTP checks require an Interval');
    const timeoutMs = c.timeout === undefined ? DEFAULT_CHECK_TIMEOUT_MS : parseDuration(c.timeout);
    if (timeoutMs === undefined) throw new HttpError(400, `Invalid check: bad Timeout ${String(c.timeout)}`);
    const deregister = c.deregistercriticalserviceafter;
    const deregisterMs = deregister === undefined ? undefined : parseDuration(deregister);
    if (deregister !== undefined && deregisterMs === undefined) {
      throw new HttpError(400, `Invalid check: bad DeregisterCriticalServiceAfter ${String(deregister)}`);
    }
    const status = asString(c.status);
    if (status && status !== 'passing' && status !== 'warning' && status !== 'critical') {
      throw new HttpError(400, `Invalid check status: "${status}"`);
    }
    const suffix = ordinal > 0 ? `:${ordinal}` : '';
    return {
      def: {
        checkId: asString(c.checkid) || `service:${serviceId}${suffix}`,
        name: asString(c.name) || `Service '${serviceName}' check`,
        // Consul starts checks critical unless registered with a Status.
        status: (status || 'critical') as CheckStatus,
        output: '',
        http: url,
        intervalMs: Math.max(intervalMs, this.minCheckIntervalMs),
        timeoutMs: timeoutMs || DEFAULT_CHECK_TIMEOUT_MS,
        deregisterCriticalServiceAfterMs: deregisterMs,
      },
      explicitStatus: Boolean(status),
    };
  }

  private deregister(id: string, caller: Caller): void {
    const service = this.servicesById.get(id);
    if (!service) {
      throw new HttpError(404, `Unknown service ID "${id}". Ensure that the service ID is passed, not the service name.`);
    }
    this.requireServiceWrite(caller, service.name);
    this.stopChecks(service);
    this.servicesById.delete(id);
    this.bump(service.name);
    this.notify();
  }

  private agentServices(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const s of this.servicesById.values()) {
      out[s.id] = { ...this.serviceJson(s), Datacenter: this.datacenter };
    }
    return out;
  }

  private agentChecks(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const s of this.servicesById.values()) {
      for (const c of s.checks.values()) out[c.def.checkId] = this.checkJson(s, c);
    }
    return out;
  }

  // --- health/service with blocking queries -------------------------------

  private async healthService(
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    params: URLSearchParams,
    caller: Caller,
  ): Promise<void> {
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
    if (minIndex > 0 && this.indexFor(name) <= minIndex) {
      const budget = waitMs + Math.floor(Math.random() * (waitMs / 16));
      const closed = await this.block(req, name, minIndex, budget);
      if (closed) return;
    }
    const passing = params.has('passing') && !/^(false|0)$/i.test(params.get('passing') ?? '');
    const tag = params.get('tag');
    const entries = [...this.servicesById.values()]
      .filter((s) => s.name === name)
      .filter((s) => !tag || s.tags.includes(tag))
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((s) => this.healthEntry(s))
      .filter((e) => !passing || e.Checks.every((c) => c.Status === 'passing'));
    const hidden = caller === 'anonymous' && entries.length > 0;
    sendJson(res, 200, hidden ? [] : entries, { 'X-Consul-Index': String(this.indexFor(name)), ...filteredHeader(hidden) });
  }

  /** Resolves true if the client went away while blocked. */
  private block(req: IncomingMessage, name: string, minIndex: number, budgetMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (closed: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        req.socket.off('close', onClose);
        resolve(closed);
      };
      const onClose = (): void => finish(true);
      const timer = setTimeout(() => finish(false), budgetMs);
      const waiter: Waiter = { name, minIndex, wake: () => finish(false) };
      this.waiters.add(waiter);
      req.socket.on('close', onClose);
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) {
      if (this.indexFor(waiter.name) > waiter.minIndex) waiter.wake();
    }
  }

  private indexFor(name: string): number {
    return this.nameIndex.get(name) ?? this.index;
  }

  private bump(name: string): number {
    this.index += 1;
    this.nameIndex.set(name, this.index);
    return this.index;
  }

  private healthEntry(s: ServiceState): { Checks: Array<{ Status: CheckStatus }> } & Record<string, unknown> {
    const serf = {
      Node: this.nodeName,
      CheckID: 'serfHealth',
      Name: 'Serf Health Status',
      Status: 'passing' as CheckStatus,
      Notes: '',
      Output: 'Agent alive and reachable',
      ServiceID: '',
      ServiceName: '',
      ServiceTags: [],
      Type: '',
      CreateIndex: 1,
      ModifyIndex: 1,
    };
    return {
      Node: {
        ID: this.nodeId,
        Node: this.nodeName,
        Address: '127.0.0.1',
        Datacenter: this.datacenter,
        TaggedAddresses: { lan: '127.0.0.1', wan: '127.0.0.1' },
        Meta: {},
        CreateIndex: 1,
        ModifyIndex: 1,
      },
      Service: { ...this.serviceJson(s), CreateIndex: s.createIndex, ModifyIndex: s.modifyIndex },
      Checks: [serf, ...[...s.checks.values()].map((c) => this.checkJson(s, c))],
    };
  }

  private serviceJson(s: ServiceState): Record<string, unknown> {
    return {
      ID: s.id,
      Service: s.name,
      Tags: [...s.tags],
      Address: s.address,
      Meta: { ...s.meta },
      Port: s.port,
      Weights: { Passing: 1, Warning: 1 },
      EnableTagOverride: false,
    };
  }

  private checkJson(s: ServiceState, c: CheckState): { Status: CheckStatus } & Record<string, unknown> {
    return {
      Node: this.nodeName,
      CheckID: c.def.checkId,
      Name: c.def.name,
      Status: c.def.status,
      Notes: '',
      Output: c.def.output,
      ServiceID: s.id,
      ServiceName: s.name,
      ServiceTags: [...s.tags],
      Type: 'http',
      CreateIndex: c.createIndex,
      ModifyIndex: c.modifyIndex,
    };
  }

  // --- check runner ---------------------------------------------------------

  private scheduleCheck(check: CheckState, first: boolean): void {
    if (this.stopped) return;
    const interval = check.def.intervalMs;
    const delay = first && this.staggerChecks ? Math.floor(Math.random() * interval) : first ? 0 : interval;
    check.timer = setTimeout(() => this.runCheck(check), delay);
  }

  private runCheck(check: CheckState): void {
    check.timer = undefined;
    const started = performHttpCheck(check.def.http, check.def.timeoutMs, (status, output) => {
      check.inFlight = undefined;
      const service = this.servicesById.get(check.serviceId);
      if (this.stopped || !service || service.checks.get(check.def.checkId) !== check) return;
      this.updateCheck(service, check, status, output);
      this.scheduleCheck(check, false);
    });
    check.inFlight = started;
  }

  private updateCheck(service: ServiceState, check: CheckState, status: CheckStatus, output: string): void {
    // Output-only changes reach the catalog lazily in Consul (check_update_interval),
    // so only a status change moves the index and wakes blocking queries.
    check.def.output = output;
    if (check.def.status === status) return;
    check.def.status = status;
    check.criticalSince = status === 'critical' ? Date.now() : undefined;
    check.modifyIndex = this.bump(service.name);
    this.notify();
  }

  private stopChecks(service: ServiceState): void {
    for (const check of service.checks.values()) {
      if (check.timer) clearTimeout(check.timer);
      check.timer = undefined;
      check.inFlight?.destroy();
      check.inFlight = undefined;
    }
  }

  /** Consul's reaper: deregisters services whose check stayed critical too long. */
  private reap(): void {
    const now = Date.now();
    for (const service of [...this.servicesById.values()]) {
      for (const check of service.checks.values()) {
        const after = check.def.deregisterCriticalServiceAfterMs;
        if (after === undefined || check.criticalSince === undefined) continue;
        if (now - check.criticalSince >= Math.max(after, this.minDeregisterCriticalMs)) {
          this.deregister(service.id, 'privileged');
          break;
        }
      }
    }
  }
}

/** GET the URL like Consul's HTTP check: 2xx passing, 429 warning, anything else critical. */
function performHttpCheck(
  url: string,
  timeoutMs: number,
  done: (status: CheckStatus, output: string) => void,
): http.ClientRequest | undefined {
  let settled = false;
  const settle = (status: CheckStatus, output: string): void => {
    if (settled) return;
    settled = true;
    done(status, output.slice(0, MAX_CHECK_OUTPUT));
  };
  try {
    const req = http.get(
      url,
      {
        agent: false, // Consul's check client disables keep-alive
        timeout: timeoutMs,
        headers: { 'User-Agent': 'Consul Health Check', Accept: 'text/plain, text/*, */*' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < MAX_CHECK_OUTPUT) body += chunk;
        });
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          const output = `HTTP GET ${url}: ${code} ${res.statusMessage ?? ''} Output: ${body}`;
          settle(code >= 200 && code < 300 ? 'passing' : code === 429 ? 'warning' : 'critical', output);
        });
        res.on('error', (err) => settle('critical', `Get "${url}": ${err.message}`));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`context deadline exceeded (Client.Timeout ${timeoutMs}ms)`)));
    req.on('error', (err) => settle('critical', `Get "${url}": ${err.message}`));
    return req;
  } catch (err) {
    settle('critical', `Get "${url}": ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

// --- small helpers -----------------------------------------------------------

function requireMethod(actual: string, expected: string): void {
  if (actual !== expected) throw new HttpError(405, `method ${actual} not allowed`);
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  withBody = true,
): void {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'X-Consul-KnownLeader': 'true',
    'X-Consul-LastContact': '0',
    ...headers,
  });
  res.end(withBody ? JSON.stringify(body) : undefined);
}

/**
 * Consul 1.11–1.20 flags a list it filtered by ACL, for anonymous callers too
 * (1.21 stopped telling anonymous callers).
 */
function filteredHeader(hidden: boolean): Record<string, string> {
  return hidden ? { 'X-Consul-Results-Filtered-By-ACLs': 'true' } : {};
}

/** An agent listing: the anonymous token may read none of it. */
function sendFiltered(res: ServerResponse, caller: Caller, listing: Record<string, unknown>): void {
  const hidden = caller === 'anonymous' && Object.keys(listing).length > 0;
  sendJson(res, 200, hidden ? {} : listing, filteredHeader(hidden));
}

function sendText(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(message);
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text.trim()) return reject(new HttpError(400, 'Request decode failed: EOF'));
      try {
        resolve(JSON.parse(text));
      } catch (err) {
        reject(new HttpError(400, `Request decode failed: ${(err as Error).message}`));
      }
    });
  });
}

/** Consul decodes registration bodies case-insensitively and accepts snake_case too. */
function lowerKeys(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) out[k.replace(/_/g, '').toLowerCase()] = v;
  }
  return out;
}

function asString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function asStringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) out[k] = String(v);
  }
  return out;
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Parses a Go duration ("500ms", "1m30s", "2s"); undefined when malformed. */
function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return value / 1e6; // JSON numbers are nanoseconds in Consul
  if (typeof value !== 'string' || value === '') return undefined;
  if (value === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  while (pos < value.length) {
    re.lastIndex = pos;
    const [, amount, unit] = re.exec(value) ?? [];
    const perUnit = unit === undefined ? undefined : UNIT_MS[unit];
    if (amount === undefined || perUnit === undefined) return undefined;
    total += Number(amount) * perUnit;
    pos = re.lastIndex;
  }
  return total;
}
