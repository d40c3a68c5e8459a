import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
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
import { notifyListeners } from './instance-list';
import { errorMessage, type DiscoveryLog } from './logger';

export interface ConsulWatchOptions extends ConsulConnectionOptions {
  /** Consul service name to watch. @default 'parley-im' for nodes, 'parley-gateway' for gateways */
  serviceName?: string;
  /** Longest a blocking query waits for a change (Consul's `wait`). @default 30_000 */
  waitMs?: number;
  /**
   * start() resolves after the first successful fetch or after this long, so
   * the process can start (with an empty list) while Consul is down.
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
  /**
   * Panic mode (as load balancers do it, e.g. Envoy's panic threshold): when
   * instances are registered but none passes its checks, list them all rather
   * than none. Readiness checks a dependency every instance shares (database,
   * Redis), so its outage fails every check at once; an instance that is
   * unready for that still serves, and an empty list would turn the blip into
   * a fleet-wide outage. Instances in maintenance mode stay out. false lists
   * only passing instances, always.
   * @default true
   */
  panicMode?: boolean;
  /** @default silent */
  logger?: DiscoveryLog;
}

/** The service part of a /v1/health/service entry that the mappings read. */
export interface ServiceEntry {
  ID: string;
  Meta: Record<string, string>;
}

/** How one kind of instance (IM node, gateway) is read from Consul and compared. */
export interface InstanceMapping<T> {
  /** Default service name. */
  serviceName: string;
  /** Words for logs: what is watched ('IM nodes'), in short ('nodes'), and by whom ('gateway'). */
  words: { instances: string; short: string; watcher: string };
  /** The instance, or why the entry is unusable. */
  fromEntry(entry: ServiceEntry): T | { skip: string };
  normalize(items: T[]): readonly T[];
  same(a: readonly T[], b: readonly T[]): boolean;
}

/** What we need of a /v1/health/service entry; anything else is ignored. */
const healthEntrySchema = z.object({
  Service: z.object({
    ID: z.string().min(1),
    Meta: z.record(z.string(), z.string()).nullish(),
  }),
  /** Every check of the entry (the node's serfHealth too); not a list counts as none. */
  Checks: z.array(z.unknown()).nullish().catch(undefined),
});

/** A check that cannot be read is not passing. */
const checkSchema = z.object({ CheckID: z.string().nullish(), Status: z.string() });

/**
 * Consul's maintenance checks (`consul maint`, /v1/agent/service/maintenance):
 * an operator took the instance out on purpose, so panic mode leaves it out too.
 */
const MAINTENANCE_CHECK = /^(_node_maintenance$|_service_maintenance:)/;

/** How an entry's checks stand: all passing (or none), in maintenance, or failing otherwise. */
type EntryHealth = 'passing' | 'maintenance' | 'failing';

/** Skipped entries named in one warning, at most. */
const SKIPPED_EXAMPLES = 5;

type BlockingCall = (opts: {
  service: string;
  passing?: boolean;
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
 * Watches the instances of one Consul service with blocking queries, maps
 * each entry to an instance, lists those whose checks pass (all of them in
 * panic mode, see ConsulWatchOptions.panicMode), and keeps the last good list
 * while Consul is unreachable or answers nonsense. The node and gateway directories are thin
 * faces over this (each names its list).
 *
 * Index handling follows Consul's blocking-query guidance: the next query
 * waits on the X-Consul-Index of the last answer; an index that went
 * backwards restarts from 0 (a non-blocking query); an index below 1 is
 * treated as 1 so a misbehaving server cannot make every query return at once.
 */
export abstract class ConsulServiceWatcher<T> {
  private readonly connection: ConsulConnection;
  private readonly serviceName: string;
  private readonly waitMs: number;
  private readonly startTimeoutMs: number;
  private readonly retryMinDelayMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly minQueryIntervalMs: number;
  private readonly logger: DiscoveryLog;
  private readonly hasToken: boolean;
  private readonly panicMode: boolean;
  /** Whether the list is in panic mode now: instances registered, none passing, all listed. */
  private panicking = false;
  /** Whether this run already said that ACLs hide entries from us. */
  private aclWarned = false;
  /** Ids of the unusable entries last warned about, so the same ones are not warned about on every answer. */
  private skippedKey = '';
  private readonly listeners = new Set<(items: readonly T[]) => void>();
  private items: readonly T[] = Object.freeze([]);
  private index = 0n;
  private running?: WatchRun;
  private firstFetch?: Promise<void>;
  private resolveFirstFetch?: () => void;

  constructor(
    options: ConsulWatchOptions,
    private readonly mapping: InstanceMapping<T>,
  ) {
    this.connection = connectConsul(options);
    this.serviceName = options.serviceName ?? mapping.serviceName;
    this.waitMs = options.waitMs ?? 30_000;
    this.startTimeoutMs = options.startTimeoutMs ?? 2_000;
    this.retryMinDelayMs = options.retryMinDelayMs ?? 250;
    this.retryMaxDelayMs = options.retryMaxDelayMs ?? 10_000;
    this.minQueryIntervalMs = options.minQueryIntervalMs ?? 100;
    this.logger = options.logger ?? silentLogger;
    this.hasToken = Boolean(options.token);
    this.panicMode = options.panicMode ?? true;
  }

  async start(): Promise<void> {
    if (!this.running) {
      this.aclWarned = false;
      this.skippedKey = '';
      this.panicking = false;
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

  /** The last known list (kept while Consul is unreachable). */
  protected current(): readonly T[] {
    return this.items;
  }

  /** True while the list holds every registered instance because none passes (see ConsulWatchOptions.panicMode). */
  inPanicMode(): boolean {
    return this.panicking;
  }

  onChange(listener: (items: readonly T[]) => void): () => void {
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
            { consul: this.connection.endpoint, failures, delayMs, kept: this.items.length, err: errorMessage(err) },
            `consul health query failed; keeping last known ${this.mapping.words.short}`,
          );
        }
        await sleep(delayMs, stop);
        continue;
      }
      const elapsed = Date.now() - began;
      if (elapsed < this.minQueryIntervalMs) await sleep(this.minQueryIntervalMs - elapsed, stop);
    }
  }

  /**
   * One health query: blocking when we hold an index, immediate otherwise.
   * Without `passing`: Consul answers every registered instance with its
   * Checks, and apply() chooses (see panicMode).
   */
  private async query(run: WatchRun): Promise<{ entries: unknown[]; index: bigint | undefined; hidden?: string }> {
    const ctx = new RequestContext();
    run.request = ctx;
    if (run.stop.signal.aborted) throw new Error('stopped');
    const blocking = this.index > 0n;
    // Consul may add up to wait/16 on top of wait; leave room for that and the network.
    const timeout = blocking ? this.waitMs + Math.ceil(this.waitMs / 16) + 5_000 : 10_000;
    const call = this.connection.client.health.service.bind(this.connection.client.health) as unknown as BlockingCall;
    const query = {
      service: this.serviceName,
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
    // Not a list is not "no instances": keep the last good list rather than empty it.
    if (!Array.isArray(entries)) throw new Error('consul health answer is not a list');
    return { entries, index: parseIndex(res.headers['x-consul-index']), hidden: this.aclHiding(res) };
  }

  /**
   * Why ACLs may hide instances from this answer, if they may: Consul answers
   * a token without read rights with a filtered (often empty) list, not an error.
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
    const { instances, watcher } = this.mapping.words;
    this.logger.warn(
      { consul: this.connection.endpoint, service: this.serviceName, reason },
      `consul ACLs may hide ${instances} from this ${watcher}: the token needs service:read on "${this.serviceName}" and node:read`,
    );
  }

  private apply(entries: unknown[]): void {
    const passing: T[] = [];
    const failing: T[] = [];
    const skipped: string[] = [];
    for (const [position, raw] of entries.entries()) {
      const parsed = healthEntrySchema.safeParse(raw);
      if (!parsed.success) {
        skipped.push(`#${position}: no Service.ID or Meta not a string map`);
        continue;
      }
      const { ID, Meta } = parsed.data.Service;
      const mapped = this.mapping.fromEntry({ ID, Meta: Meta ?? {} });
      if (isSkip(mapped)) {
        skipped.push(`${ID}: ${mapped.skip}`);
        continue;
      }
      const health = entryHealth(parsed.data.Checks);
      if (health === 'passing') passing.push(mapped);
      else if (health === 'failing') failing.push(mapped);
    }
    this.warnSkipped(skipped);
    const panic = this.panicMode && passing.length === 0 && failing.length > 0;
    this.notePanic(panic, failing.length);
    const next = this.mapping.normalize(panic ? failing : passing);
    if (this.mapping.same(next, this.items)) return;
    this.items = next;
    notifyListeners(this.listeners, next, (err) =>
      this.logger.warn({ err: errorMessage(err) }, `${this.mapping.words.short} directory listener threw`),
    );
  }

  /** One warning on entering panic mode, one info on leaving it: not one per answer. */
  private notePanic(panic: boolean, registered: number): void {
    if (panic === this.panicking) return;
    this.panicking = panic;
    const { instances, short } = this.mapping.words;
    if (panic) {
      this.logger.warn(
        { service: this.serviceName, registered },
        `panic mode: none of the ${registered} registered ${instances} passes its consul check; listing them all (a shared dependency such as the database or Redis may be down)`,
      );
    } else {
      this.logger.info({ service: this.serviceName }, `panic mode over: listing only the ${short} that pass their consul check`);
    }
  }

  private warnSkipped(skipped: string[]): void {
    const key = skipped.join('\n');
    if (key === this.skippedKey) return;
    this.skippedKey = key;
    if (!skipped.length) return;
    this.logger.warn(
      { service: this.serviceName, skipped: skipped.length, examples: skipped.slice(0, SKIPPED_EXAMPLES) },
      `ignoring consul entries that are not usable ${this.mapping.words.instances}`,
    );
  }
}

/**
 * An entry's checks as Consul's `?passing` filter reads them: passing when
 * every check is (an entry without checks included); otherwise maintenance
 * when an operator put it there, else failing.
 */
function entryHealth(checks: readonly unknown[] | null | undefined): EntryHealth {
  let health: EntryHealth = 'passing';
  for (const raw of checks ?? []) {
    const check = checkSchema.safeParse(raw);
    if (check.success && check.data.Status === 'passing') continue;
    if (check.success && MAINTENANCE_CHECK.test(check.data.CheckID ?? '')) return 'maintenance';
    health = 'failing';
  }
  return health;
}

function isSkip<T>(value: T | { skip: string }): value is { skip: string } {
  return typeof value === 'object' && value !== null && 'skip' in value;
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
