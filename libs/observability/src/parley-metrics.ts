import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { must } from '@parley/util';

/**
 * Every `parley_*` metric, in one place (docs/operations.md lists them and a
 * test keeps the two equal). One `ParleyMetrics` per process, built in the
 * composition root and passed down; each gateway or IM node in it takes a
 * view bound to its own label (`forNode` / `forGateway`).
 *
 * Families both roles record (store, Redis, rate limits, relay) carry both
 * labels; the role that does not apply is "" (Prometheus drops empty labels
 * at ingestion), so embedded mode's gateway and two nodes share one registry.
 * Label values are bounded: command names, error codes, operation names,
 * peer ids of the fleet; never user ids or rooms.
 */

/** Seconds: from 1 ms (a local ack) to 10 s (a saturated store). */
export const LATENCY_BUCKETS = Object.freeze([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
/** Rows per store batch. */
export const BATCH_BUCKETS = Object.freeze([1, 2, 5, 10, 20, 50, 100, 200, 500]);

const ROLE_LABELS = ['node', 'gateway'] as const satisfies readonly (keyof RoleLabels)[];

export interface ParleyMetricsOptions {
  /** Node's default metrics (event-loop lag, heap, GC, CPU) as `process_*` / `nodejs_*`. @default true */
  defaultMetrics?: boolean;
}

/** The metric families of one process: created once per registry (prom-client refuses a name twice). */
export class ParleyMetrics {
  // First: the families below are created through it, in declaration order.
  private readonly factory = new MetricFactory();
  readonly registry: Registry = this.factory.registry;

  // ---- IM node
  readonly socketsConnected = this.factory.gauge('parley_sockets_connected', 'Sockets connected to the node.', ['node']);
  readonly usersConnected = this.factory.gauge('parley_users_connected', 'Distinct users with at least one socket on the node.', ['node']);
  readonly handshakes = this.factory.counter('parley_handshakes_total', 'Socket handshakes by outcome (ok, unauthorized, origin, not_accepting, error).', ['node', 'outcome']);
  readonly handshakeDuration = this.factory.histogram('parley_handshake_duration_seconds', 'Handshake time from the first middleware to accepted or refused.', ['node', 'outcome'], LATENCY_BUCKETS);
  readonly commands = this.factory.counter('parley_commands_total', 'Socket commands by name and result code (OK or an error code).', ['node', 'command', 'code']);
  readonly commandDuration = this.factory.histogram('parley_command_duration_seconds', 'Socket command time from receipt to ack (message:send: the durable ack).', ['node', 'command'], LATENCY_BUCKETS);
  readonly messagesAccepted = this.factory.counter('parley_messages_accepted_total', 'Messages stored and acked (first sends, not retries).', ['node']);
  readonly messagesRejected = this.factory.counter('parley_messages_rejected_total', 'message:send refused, by error code.', ['node', 'code']);
  readonly messagesDeduplicated = this.factory.counter('parley_messages_deduplicated_total', 'message:send retries answered with the stored message (same clientMsgId).', ['node']);
  readonly deliveries = this.factory.counter('parley_deliveries_total', 'message:new pushes to sockets of this node, by where the message came from (local, relayed).', ['node', 'source']);
  readonly relayDeliveryLag = this.factory.histogram('parley_relay_delivery_lag_seconds', 'Relayed message:new: time from its creation on the sending node to its push here (across hosts their clock offset is in it).', ['node'], LATENCY_BUCKETS);
  readonly outboxDepth = this.factory.gauge('parley_relay_outbox_depth', 'Relay frames kept by the node while no gateway takes them.', ['node']);
  readonly relayReplayed = this.factory.counter('parley_relay_frames_replayed_total', 'Relay frames sent again, by kind (resent after a lost stream, replayed from the outbox).', ['node', 'kind']);
  readonly draining = this.factory.gauge('parley_draining', '1 while the node drains (leaving discovery, handing sessions off).', ['node']);
  readonly sessionsHandedOff = this.factory.counter('parley_sessions_handed_off_total', 'Sockets told to reconnect elsewhere by a drain.', ['node']);
  /** No `node` label: one push dispatcher per process (embedded mode's two nodes share one). */
  readonly pushes = this.factory.counter('parley_push_total', 'Web Push attempts by outcome (sent, gone, retry, failed) and pushes dropped (dropped).', ['outcome']);

  // ---- both roles (series carry RoleLabels: see forNode / forGateway)
  readonly ready = this.factory.gauge('parley_ready', '1 when /readyz answers 200.', ROLE_LABELS);
  readonly relayFrames = this.factory.counter('parley_relay_frames_total', 'Relay frames by direction (in, out) at this process.', [...ROLE_LABELS, 'direction']);
  readonly relayDropped = this.factory.counter('parley_relay_frames_dropped_total', 'Relay frames dropped, by reason (queue full, invalid frame reasons).', [...ROLE_LABELS, 'reason']);
  readonly relayStreamsUp = this.factory.gauge('parley_relay_streams_up', 'Ready relay streams, by peer (the gateway for a node, the node for a gateway).', [...ROLE_LABELS, 'peer']);
  readonly storeDuration = this.factory.histogram('parley_store_operation_duration_seconds', 'Store operation time by operation (Store method) and result (ok, error).', [...ROLE_LABELS, 'operation', 'result'], LATENCY_BUCKETS);
  readonly storeBatchSize = this.factory.histogram('parley_store_batch_size', 'Rows written per store batch, by operation.', [...ROLE_LABELS, 'operation'], BATCH_BUCKETS);
  readonly redisDuration = this.factory.histogram('parley_redis_operation_duration_seconds', 'Redis operation time by operation (presence and limit methods) and result (ok, error).', [...ROLE_LABELS, 'operation', 'result'], LATENCY_BUCKETS);
  readonly rateLimited = this.factory.counter('parley_rate_limited_total', 'Requests refused by a rate limit, by limit.', [...ROLE_LABELS, 'limit']);

  // ---- gateway
  readonly httpDuration = this.factory.histogram('parley_http_request_duration_seconds', 'HTTP request time by method, route pattern and status.', ['gateway', 'method', 'route', 'status'], LATENCY_BUCKETS);
  readonly assignments = this.factory.counter('parley_assignments_total', 'IM node assignments handed to clients, by outcome (ok, no_nodes).', ['gateway', 'outcome']);
  readonly adminActions = this.factory.counter('parley_admin_actions_total', 'Admin API actions, by action and outcome (ok, forbidden, error).', ['gateway', 'action', 'outcome']);

  constructor(options: ParleyMetricsOptions = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Labels of an IM node's series in a both-roles family (the gateway label empty). */
  forNode(nodeId: string): RoleLabels {
    return Object.freeze({ node: nodeId, gateway: '' });
  }

  /** Labels of a gateway's series in a both-roles family (the node label empty). */
  forGateway(gatewayId: string): RoleLabels {
    return Object.freeze({ node: '', gateway: gatewayId });
  }

  /** Prometheus text of every family: the body of GET /metrics. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /**
   * Sets a gauge's series from live state at each scrape (sockets, outbox
   * depth, streams up): `read` returns [labels, value] pairs; a series no
   * reader returns any more disappears. Several readers may share a family
   * (embedded mode's two nodes), each with its own labels. Returns what stops
   * this reader (its series vanish at the next scrape): call it when the
   * component it reads closes, so a closed node neither reports nor is kept alive.
   * An observed family cannot be written directly (inc, set, labels throw).
   */
  observeGauge<L extends string>(gauge: Gauge<L>, read: SeriesReader<L>): StopObserving {
    return this.factory.observe(gauge, read);
  }

  /**
   * Reports totals a component already keeps (relay stats) as a counter at
   * each scrape. A family is either observed or inc()-ed, never both: the
   * first use decides, and the other use throws. Returns what stops this reader.
   */
  observeCounter<L extends string>(counter: Counter<L>, read: SeriesReader<L>): StopObserving {
    return this.factory.observe(counter, read);
  }
}

/** [labels, value] pairs read at scrape time. */
export type SeriesReader<L extends string> = () => Iterable<readonly [Partial<Record<L, string>>, number]>;

/** Stops one scrape-time reader: its series are gone from the next scrape. Calling it again does nothing. */
export type StopObserving = () => void;

type AnyReader = SeriesReader<string>;
type Method = (...args: unknown[]) => unknown;

/** What writes a counter's or gauge's series directly (children from labels() included). */
const WRITERS = ['labels', 'inc', 'dec', 'set', 'setToCurrentTime', 'startTimer', 'remove'] as const;

/**
 * How a counter or gauge is fed, decided by its first use: `observed`
 * (scrape-time readers, which reset the family before each scrape, so a
 * direct write would vanish) or `written` (inc/set as things happen).
 */
interface FamilyUse {
  name: string;
  use: 'fresh' | 'observed' | 'written';
  /** The family's own writers, kept for the scrape-time readers (inc, set). */
  own: Map<string, Method>;
  readers: AnyReader[];
}

/**
 * Creates families on one registry and runs their scrape-time readers. A
 * counter or gauge is either observed or written, never both: until its
 * first use its writers note which use it gets (then the family's own
 * methods are put back, so written families cost nothing more per call);
 * once observed, writing it throws, and once written, observing it throws.
 */
class MetricFactory {
  readonly registry = new Registry();
  private readonly uses = new WeakMap<object, FamilyUse>();

  observe(family: Counter<string> | Gauge<string>, read: AnyReader): StopObserving {
    const use = this.useOf(family);
    if (use.use === 'written') throw new Error(`${use.name} is written directly (inc/set); it cannot also be observed at scrape time`);
    if (use.use === 'fresh') {
      use.use = 'observed';
      const host = family as unknown as Record<string, unknown>;
      for (const name of use.own.keys()) {
        host[name] = () => {
          throw new Error(`${use.name} is observed at scrape time (its readers reset it before each scrape); it cannot also be written directly`);
        };
      }
    }
    use.readers.push(read);
    return () => {
      const at = use.readers.indexOf(read);
      if (at >= 0) use.readers.splice(at, 1);
    };
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    const uses = this.uses;
    const counter = new Counter<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        const use = uses.get(this);
        if (use?.use !== 'observed') return;
        const inc = must(use.own.get('inc'), 'inc');
        this.reset();
        for (const read of use.readers) for (const [labels, value] of read()) if (value > 0) inc.call(this, labels, value);
      },
    });
    this.watch(counter, name);
    return counter;
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
    const uses = this.uses;
    const gauge = new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        const use = uses.get(this);
        if (use?.use !== 'observed') return;
        const set = must(use.own.get('set'), 'set');
        this.reset();
        for (const read of use.readers) for (const [labels, value] of read()) set.call(this, labels, value);
      },
    });
    this.watch(gauge, name);
    return gauge;
  }

  histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: readonly number[]): Histogram<L> {
    return new Histogram<L>({ name, help, labelNames, buckets: [...buckets], registers: [this.registry] });
  }

  /** Puts first-use notes on the family's writers: the first direct write marks it written and puts its own methods back. */
  private watch(family: Counter<string> | Gauge<string>, name: string): void {
    const host = family as unknown as Record<string, unknown>;
    const own = new Map<string, Method>();
    for (const writer of WRITERS) {
      const method = host[writer];
      if (typeof method === 'function') own.set(writer, method as Method);
    }
    const use: FamilyUse = { name, use: 'fresh', own, readers: [] };
    this.uses.set(family, use);
    for (const [writer, method] of own) {
      host[writer] = (...args: unknown[]): unknown => {
        if (use.use === 'fresh') {
          use.use = 'written';
          for (const [n, m] of own) host[n] = m;
        }
        return method.apply(family, args);
      };
    }
  }

  private useOf(family: object): FamilyUse {
    const use = this.uses.get(family);
    if (!use) throw new Error('not a family of this registry');
    return use;
  }
}

/** The role labels every series of a both-roles family carries. */
export interface RoleLabels {
  readonly node: string;
  readonly gateway: string;
}
