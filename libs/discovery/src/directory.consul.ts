import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { sameNodes, type NodeDirectory, type NodeInstance } from '@parley/domain';
import { z } from 'zod';
import { backoffDelay, silentLogger } from '@parley/util';
import { sleep } from './abortable-sleep';
import {
  connectConsul,
  consulCall,
  consulErrorText,
  goDuration,
  isAclRefusal,
  type ConsulConnection,
  type ConsulConnectionOptions,
} from './consul-connection';
import { errorMessage, type DiscoveryLog } from './logger';
import { normalizeNodes, notifyListeners } from './node-list';

export interface ConsulNodeDirectoryOptions extends ConsulConnectionOptions {
  /** Consul service name the IM nodes register under. @default 'parley-im' */
  serviceName?: string;
  /** Longest a blocking query waits for a change (Consul's `wait`). @default 30_000 */
  waitMs?: number;
  /**
   * start() resolves after the first successful fetch or after this long, so a
   * gateway can start (with an empty list) while Consul is down.
   * @default 2_000
   */
  startTimeoutMs?: number;
  /** First delay after a failed query; doubles per failure (with jitter). @default 250 */
  retryMinDelayMs?: number;
  /** Cap on the delay between failed queries. @default 10_000 */
  retryMaxDelayMs?: number;
  /**
   * Least time between the starts of two queries, so an index that changes
   * constantly cannot turn the watch into a request storm.
   * @default 100
   */
  minQueryIntervalMs?: number;
  /** @default silent */
  logger?: DiscoveryLog;
}

/** What we need of a /v1/health/service entry; anything else is ignored. */
const healthEntrySchema = z.object({
  Service: z.object({
    ID: z.string().min(1),
    Meta: z.record(z.string(), z.string()).nullish(),
  }),
});

type BlockingCall = (opts: {
  service: string;
  passing: boolean;
  index?: string;
  wait?: string;
  timeout: number;
  ctx: EventEmitter;
}) => Promise<unknown>;

interface WatchRun {
  stop: AbortController;
  loop: Promise<void>;
  /** The query in flight, cancelled by stop(). */
  request?: RequestContext;
}

/** Cancellation handle the consul client (papi) understands; includeResponse gives us headers. */
class RequestContext extends EventEmitter {
  readonly includeResponse = true;
  cancel(): void {
    this.emit('cancel');
  }
}

/**
 * Gateway side of discovery on Consul: watches the healthy instances of the
 * IM-node service with blocking queries and keeps the last good list while
 * Consul is unreachable.
 *
 * Index handling follows Consul's blocking-query guidance: the next query
 * waits on the X-Consul-Index of the last answer; an index that went
 * backwards restarts from 0 (a non-blocking query); an index below 1 is
 * treated as 1 so a misbehaving server cannot make every query return at once.
 */
export class ConsulNodeDirectory implements NodeDirectory {
  private readonly connection: ConsulConnection;
  private readonly serviceName: string;
  private readonly waitMs: number;
  private readonly startTimeoutMs: number;
  private readonly retryMinDelayMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly minQueryIntervalMs: number;
  private readonly logger: DiscoveryLog;
  private readonly hasToken: boolean;
  /** Whether this run already said that ACLs hide entries from us. */
  private aclWarned = false;
  private readonly listeners = new Set<(nodes: readonly NodeInstance[]) => void>();
  private nodes: readonly NodeInstance[] = Object.freeze([]);
  private index = 0n;
  private running?: WatchRun;
  private firstFetch?: Promise<void>;
  private resolveFirstFetch?: () => void;

  constructor(options: ConsulNodeDirectoryOptions = {}) {
    this.connection = connectConsul(options);
    this.serviceName = options.serviceName ?? 'parley-im';
    this.waitMs = options.waitMs ?? 30_000;
    this.startTimeoutMs = options.startTimeoutMs ?? 2_000;
    this.retryMinDelayMs = options.retryMinDelayMs ?? 250;
    this.retryMaxDelayMs = options.retryMaxDelayMs ?? 10_000;
    this.minQueryIntervalMs = options.minQueryIntervalMs ?? 100;
    this.logger = options.logger ?? silentLogger;
    this.hasToken = Boolean(options.token);
  }

  async start(): Promise<void> {
    if (!this.running) {
      this.aclWarned = false;
      this.firstFetch = new Promise((resolve) => (this.resolveFirstFetch = resolve));
      this.index = 0n; // a (re)start asks for the current list at once
      const run: WatchRun = { stop: new AbortController(), loop: Promise.resolve() };
      run.loop = this.watch(run);
      this.running = run;
    }
    await Promise.race([this.firstFetch, sleep(this.startTimeoutMs, this.running.stop.signal)]);
  }

  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    running.stop.abort();
    running.request?.cancel();
    this.resolveFirstFetch?.();
    await running.loop;
    this.connection.close();
  }

  healthyNodes(): readonly NodeInstance[] {
    return this.nodes;
  }

  onChange(listener: (nodes: readonly NodeInstance[]) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private async watch(run: WatchRun): Promise<void> {
    const stop = run.stop.signal;
    let failures = 0;
    while (!stop.aborted) {
      const began = Date.now();
      try {
        const { entries, index, hidden } = await this.query(run);
        if (stop.aborted) return;
        if (hidden) this.warnAclHidden(hidden);
        if (failures > 0) {
          this.logger.info({ consul: this.connection.endpoint, failures }, 'consul reachable again');
        }
        failures = 0;
        this.index = nextIndex(this.index, index);
        this.apply(entries);
        this.resolveFirstFetch?.();
      } catch (err) {
        if (stop.aborted) return;
        failures += 1;
        const delayMs = backoffDelay(failures - 1, { initialMs: this.retryMinDelayMs, maxMs: this.retryMaxDelayMs });
        // First failure and then every tenth: an outage should not flood the logs.
        if (failures === 1 || failures % 10 === 0) {
          this.logger.warn(
            { consul: this.connection.endpoint, failures, delayMs, keptNodes: this.nodes.length, err: errorMessage(err) },
            'consul health query failed; keeping last known nodes',
          );
        }
        await sleep(delayMs, stop);
        continue;
      }
      const elapsed = Date.now() - began;
      if (elapsed < this.minQueryIntervalMs) await sleep(this.minQueryIntervalMs - elapsed, stop);
    }
  }

  /** One health query: blocking when we hold an index, immediate otherwise. */
  private async query(run: WatchRun): Promise<{ entries: unknown; index: bigint | undefined; hidden?: string }> {
    const ctx = new RequestContext();
    run.request = ctx;
    if (run.stop.signal.aborted) throw new Error('stopped');
    const blocking = this.index > 0n;
    // Consul may add up to wait/16 on top of wait; leave room for that and the network.
    const timeout = blocking ? this.waitMs + Math.ceil(this.waitMs / 16) + 5_000 : 10_000;
    const call = this.connection.client.health.service.bind(this.connection.client.health) as unknown as BlockingCall;
    const query = {
      service: this.serviceName,
      passing: true,
      ...(blocking ? { index: this.index.toString(), wait: goDuration(this.waitMs) } : {}),
      timeout,
      ctx,
    };
    const result = await consulCall(call(query)).catch((err: unknown) => {
      if (!isAclRefusal(err)) throw err;
      throw new Error(
        `consul refused the health query (${consulErrorText(err)}); the Consul ACL token must exist and allow service:read on "${this.serviceName}"`,
        { cause: err },
      );
    });
    if (!Array.isArray(result) || result.length !== 2) throw new Error('unexpected consul client result');
    const [res, entries] = result as [IncomingMessage, unknown];
    return { entries, index: parseIndex(res.headers['x-consul-index']), hidden: this.aclHiding(res) };
  }

  /**
   * Why ACLs may hide nodes from this answer, if they may: Consul answers a
   * token without read rights with a filtered (often empty) list, not an error.
   */
  private aclHiding(res: IncomingMessage): string | undefined {
    if (res.headers['x-consul-results-filtered-by-acls'] === 'true') {
      return this.hasToken ? 'the ACL token lacks read rights' : 'no ACL token is set';
    }
    if (!this.hasToken && res.headers['x-consul-default-acl-policy'] === 'deny') {
      return 'consul denies by default and no ACL token is set';
    }
    return undefined;
  }

  private warnAclHidden(reason: string): void {
    if (this.aclWarned) return;
    this.aclWarned = true;
    this.logger.warn(
      { consul: this.connection.endpoint, service: this.serviceName, reason },
      `consul ACLs may hide IM nodes from this gateway: the token needs service:read on "${this.serviceName}" and node:read`,
    );
  }

  private apply(entries: unknown): void {
    const found: NodeInstance[] = [];
    for (const raw of Array.isArray(entries) ? entries : []) {
      const parsed = healthEntrySchema.safeParse(raw);
      const meta = parsed.success ? (parsed.data.Service.Meta ?? {}) : {};
      if (!parsed.success || !meta.url) {
        this.logger.warn({ service: this.serviceName }, 'ignoring consul entry without Service.ID or Meta.url');
        continue;
      }
      found.push({ nodeId: meta.nodeId || parsed.data.Service.ID, url: meta.url });
    }
    const next = normalizeNodes(found);
    if (sameNodes(next, this.nodes)) return;
    this.nodes = next;
    notifyListeners(this.listeners, next, (err) =>
      this.logger.warn({ err: errorMessage(err) }, 'node directory listener threw'),
    );
  }
}

function parseIndex(header: string | string[] | undefined): bigint | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value || !/^\d+$/.test(value)) return undefined;
  return BigInt(value);
}

/** Consul's blocking-query index rules (see the class comment). */
export function nextIndex(previous: bigint, received: bigint | undefined): bigint {
  if (received === undefined || received < 1n) return 1n;
  if (received < previous) return 0n;
  return received;
}
