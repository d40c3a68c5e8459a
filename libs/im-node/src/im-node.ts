import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import {
  ContentPolicy,
  type NotificationService,
  type Clock,
  type GroupServiceOptions,
  type IdGenerator,
  type MessageAttachments,
  type NodeRegistrar,
  type Presence,
  type Pusher,
  type Store,
  type ThrottleFactory,
  type TokenService,
} from '@parley/domain';
import { type MessageTracer, type ParleyMetrics, type StopObserving } from '@parley/observability';
import { COMMAND_NAMES } from '@parley/protocol';
import { definedOnly, type Logger } from '@parley/util';
import { advertiseHostOf, hostPort } from '@parley/util-node';
import { nodeHttpHandler } from './http/health';
import { Readiness } from './http/readiness';
import { RelayReadiness } from './http/relay-readiness';
import { countConnectedUsers } from './metrics/connected-users';
import { NodeMetrics } from './metrics/node-metrics';
import { observeRelay } from './metrics/relay-metrics';
import { timedHandshake } from './metrics/timed-handshake';
import { DEFAULT_IM_NODE } from './im-node-defaults';
import { createNodeServices } from './node-services';
import { PresenceKeeper, type PresenceKeeperOptions } from './presence-keeper';
import { AdminCommands, type DrainHook } from './relay/admin-commands';
import { ClusterNotifier } from './relay/cluster-notifier';
import { ControlIds } from './relay/control-ids';
import { RelayInbound } from './relay/inbound';
import { LocalRooms } from './relay/local-rooms';
import { MembershipLog } from './relay/membership-log';
import { nodeStatsProvider } from './relay/node-stats';
import { RelayOutbox } from './relay/outbox';
import type { RelayLink } from './relay/relay-link';
import { watchRelayGaps } from './relay/relay-gap';
import { RoomMembership } from './relay/room-membership';
import { RoomResync } from './relay/room-resync';
import { trackRoomInterest } from './relay/room-interest';
import { createCommandDispatcher, InFlight } from './socket/command-dispatch';
import { originGate, parseWebOrigins } from './socket/origin-check';
import { UserSocialQuota } from './socket/social-quota';
import { SocketBudget } from './socket/socket-budget';
import { handshakeAuth } from './socket/handshake-auth';
import { SessionEnds, type SessionEndsOptions } from './socket/session-ends';
import { releaseHandshakeState } from './socket/connection-memory';
import { loadRooms, sessionLifecycle } from './socket/session-lifecycle';
import type { ImServer } from './socket/socket-types';

export { DEFAULT_IM_NODE };

export interface ImNodeOptions {
  nodeId: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /**
   * Host other processes reach this node at (PARLEY_ADVERTISE_HOST): its
   * registration address and health check, and the default public URL.
   * @default host, or the machine's hostname when host is a wildcard (never 0.0.0.0)
   */
  advertiseHost?: string;
  /** Base URL clients are given for this node; defaults to http://<advertised host>:port. */
  publicUrl?: string;
  /** Longest wait at start for a first relay gateway stream before registering anyway. @default 3000 */
  relayReadyWaitMs?: number;
  /** Spread of `reconnectAfterMs` handed to clients on drain. @default 2000 */
  drainSpreadMs: number;
  /** Longest wait for in-flight commands and clients to leave on drain. @default 10000 */
  drainTimeoutMs: number;
  presence: PresenceKeeperOptions;
  /** Messages a user may send per second through this node. @default 30 */
  sendRatePerSec?: number;
  /** Messages a user may send at once after a quiet spell. @default 60 */
  sendBurst?: number;
  /** Tokens a user's sockets on this node may spend on commands at once (costs: socket/command-costs.ts). @default 200 */
  commandBurst?: number;
  /** Tokens a user's command budget on this node regains per second. @default 40 */
  commandRatePerSec?: number;
  /** At most one `typing` fan-out per (conversation, user) in this window; 0: every one. @default 2000 */
  typingCoalesceMs?: number;
  /** Messages one user may send per window across the cluster (with `throttles`). @default 600 */
  userSendLimit?: number;
  /** The window of `userSendLimit`, seconds. @default 60 */
  userSendWindowSec?: number;
  /**
   * Points one user may spend per window, across the cluster (with
   * `throttles`), on commands that reach other people: friend:request,
   * group:invite, group:create, group:join, user:block (socket/social-quota.ts). @default 600
   */
  userSocialLimit?: number;
  /** The window of `userSocialLimit`, seconds. @default 600 */
  userSocialWindowSec?: number;
  /** How long after sending its sender may recall a message (PARLEY_RECALL_WINDOW_MS); group admins always may. @default 120000 */
  recallWindowMs?: number;
  /**
   * Web origins (scheme://host[:port]) whose pages may open sessions here.
   * A handshake without an Origin header (not a browser) is always admitted.
   * @default [] (no browser page may connect)
   */
  allowedOrigins?: readonly string[];
  groups?: Partial<GroupServiceOptions>;
  /** How often expired sockets are ended, and how long ended sessions are remembered. */
  sessionEnds?: SessionEndsOptions;
  /** Relay frames kept while no gateway is reachable, past which the oldest are dropped and their rooms told to sync (PARLEY_RELAY_OUTBOX_LIMIT). @default 10_000 */
  relayOutboxLimit?: number;
  /** Serve GET /metrics on the node's own port; false when metrics have a listener of their own (PARLEY_METRICS_PORT). @default true */
  serveMetrics?: boolean;
  /**
   * What /readyz calls the store and presence when they do not answer.
   * @default { store: 'database', presence: 'presence' } (im-service names Redis presence 'redis')
   */
  dependencyNames?: { store?: string; presence?: string };
  /**
   * Push stored messages to members who are away (Web Push through
   * @parley/push). `awayAfterMs`: how long all of a user's sessions must be
   * hidden before they count as away (PARLEY_PUSH_AWAY_AFTER_MS).
   * @default none: nothing is pushed
   */
  push?: { pusher: Pusher; awayAfterMs: number };
}

export interface ImNodeDeps {
  store: Store;
  presence: Presence;
  registrar: NodeRegistrar;
  tokens: TokenService;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  /** The relay client; the node registers where relayed frames go. */
  relay: RelayLink;
  /** Counters shared by the cluster (the per-user send and social limits); without it commands are limited per node only. */
  throttles?: ThrottleFactory;
  /** The process's metrics (one per process, from its composition root; tests: testMetrics() of the node's testing entry). */
  metrics: ParleyMetrics;
  /** Follows sampled messages (trace ids in logs and relay frames, spans); without it nothing is traced. */
  tracer?: MessageTracer;
  /** What an operator's drain (admin API, over the relay) does. @default drain() of this node (the process stays up) */
  adminDrain?: DrainHook;
  /** Uploads for image and file messages (the same blob store as the gateway's); without it such sends are UNAVAILABLE. */
  attachments?: MessageAttachments;
  /** What message text and group names must pass (word filter, before-send webhook). @default a policy that passes everything */
  content?: ContentPolicy;
}

/** One IM node: Socket.IO sessions, the message pipeline, relay, presence and registration. */
export class ImNode {
  private readonly httpServer: http.Server;
  private readonly io: ImServer;
  private readonly relay: RelayLink;
  private readonly keeper: PresenceKeeper;
  private readonly inFlight = new InFlight();
  private readonly sessionEnds: SessionEnds;
  private readonly notifications: NotificationService | undefined;
  private readonly resync: RoomResync;
  private readonly relayReadiness: RelayReadiness;
  private readonly readiness: Readiness;
  private readonly nodeMetrics: NodeMetrics;
  /** Ends this node's scrape-time readers on close: a closed node reports nothing and is not kept alive by the registry. */
  private readonly stopMetrics: StopObserving[] = [];
  private accepting = false;
  private draining = false;
  private url = '';

  constructor(
    private readonly options: ImNodeOptions,
    private readonly deps: ImNodeDeps,
  ) {
    const { store, presence, clock, logger } = deps;
    const metrics = (this.nodeMetrics = new NodeMetrics(deps.metrics, options.nodeId, new Set(COMMAND_NAMES)));
    this.relayReadiness = new RelayReadiness(deps.relay);
    this.readiness = new Readiness({
      checks: [
        { name: options.dependencyNames?.store ?? 'database', check: () => store.ping() },
        { name: options.dependencyNames?.presence ?? 'presence', check: () => presence.ping() },
      ],
      lifecycle: () => this.lifecycleState(),
      relayReady: () => this.relayReadiness.anyReady,
      clock,
      logger,
    });
    this.httpServer = http.createServer(
      nodeHttpHandler({
        nodeId: options.nodeId,
        accepting: () => this.accepting,
        readiness: () => this.readiness.check(),
        metrics: options.serveMetrics === false ? undefined : deps.metrics,
      }),
    );
    const origins = parseWebOrigins(options.allowedOrigins ?? []);
    if (origins.length === 0) logger.warn({ allowedOrigins: origins }, 'no web origin allowed: browser pages cannot connect to this node (PARLEY_ALLOWED_ORIGINS)');
    this.io = new Server(this.httpServer, {
      cors: { origin: origins },
      allowRequest: originGate(origins, logger, () => metrics.handshake('origin', 0)),
      perMessageDeflate: false,
      serveClient: false,
      connectionStateRecovery: undefined,
    });
    this.relay = deps.relay;
    const local = new LocalRooms(this.io, new MembershipLog(), metrics.deliveries, metrics.relayLag, () => clock.now());
    // Resync notices are spread like drain notices, so sessions do not sync all at once.
    this.resync = new RoomResync(this.io, clock, options.drainSpreadMs);
    const controlIds = new ControlIds(options.nodeId);
    const outbox = new RelayOutbox(this.relay, logger, clock, controlIds, definedOnly({ limit: options.relayOutboxLimit }));
    const notifier = new ClusterNotifier(local, outbox, controlIds, logger, undefined, deps.tracer);
    const { sessions, sessionGate, handlers, throttles, notifications } = createNodeServices(options, deps, notifier, metrics);
    this.notifications = notifications;
    this.sessionEnds = new SessionEnds(this.io, clock, options.sessionEnds);
    const membership = new RoomMembership(sessions, this.relay, local.log);
    const inbound = new RelayInbound(local, sessions, this.relay, logger, this.sessionEnds, this.resync, deps.tracer);
    this.relay.handleDeliveries(inbound.receive);
    const relayObserved = observeRelay(metrics, this.relay, { inboundDrops: () => inbound.dropCounts(), outbox });
    this.stopMetrics.push(relayObserved.stop);
    this.relay.on('rooms:lost', (rooms) => this.resync.rooms(rooms));
    this.keeper = new PresenceKeeper(options.nodeId, presence, sessions, this.io, logger, options.presence);

    trackRoomInterest(this.io, this.relay);
    watchRelayGaps(this.relay, this.resync);
    releaseHandshakeState(this.io);
    this.io.use(
      timedHandshake([handshakeAuth(sessionGate, () => this.accepting, logger), loadRooms(membership, logger)], (outcome, seconds) =>
        metrics.handshake(outcome, seconds),
      ),
    );
    const budget = new SocketBudget(clock, { burst: options.commandBurst ?? DEFAULT_IM_NODE.commandBurst, ratePerSec: options.commandRatePerSec ?? DEFAULT_IM_NODE.commandRatePerSec });
    const userSocialQuota = { points: options.userSocialLimit ?? DEFAULT_IM_NODE.userSocialLimit, windowSec: options.userSocialWindowSec ?? DEFAULT_IM_NODE.userSocialWindowSec };
    const social = throttles && new UserSocialQuota(throttles, userSocialQuota, clock, logger);
    const dispatch = createCommandDispatcher(handlers, membership, this.inFlight, logger, { clock, budget, social, metrics });
    const connectedUsers = countConnectedUsers(this.io);
    this.stopMetrics.push(metrics.observeState({
      sockets: () => this.io.of('/').sockets.size,
      users: connectedUsers,
      draining: () => this.draining,
      readyNow: () => this.readiness.readyNow(),
    }));
    // The ops console: this node's stats to the gateways, and operators' commands from them.
    const state = { nodeId: options.nodeId, url: () => this.url, users: connectedUsers, ready: () => this.readiness.readyNow(), draining: () => this.draining, outboxDepth: () => outbox.depth };
    this.relay.reportStats?.(nodeStatsProvider(this.io, deps.metrics, state, clock.now()));
    // Dropped commands are counted through the relay's drop reader (parley_relay_frames_dropped_total is observed).
    this.relay.handleAdminCommands?.(new AdminCommands(this.io, deps.adminDrain ?? (() => void this.drain()), logger, relayObserved.dropped).receive);
    const startSession = sessionLifecycle(sessions, membership, logger);
    this.io.on('connection', (socket) => {
      socket.onAny(dispatch);
      startSession(socket);
      // After startSession: a socket ended here still leaves presence through its disconnect listener.
      this.sessionEnds.admit(socket);
    });
  }

  get nodeId(): string {
    return this.options.nodeId;
  }

  async start(): Promise<{ url: string; port: number }> {
    const { host, port } = this.options;
    await new Promise<void>((resolve, reject) => {
      this.httpServer.once('error', reject);
      this.httpServer.listen(port, host, LISTEN_BACKLOG, () => resolve());
    });
    const actualPort = (this.httpServer.address() as AddressInfo).port;
    const advertised = advertiseHostOf(host, this.options.advertiseHost);
    this.url = this.options.publicUrl ?? `http://${hostPort(advertised, actualPort)}`;
    await this.relay.start();
    await this.keeper.start();
    this.sessionEnds.start();
    this.accepting = true;
    // Registered once it can relay, so its first health check passes (bounded: gateways may be down).
    if (!(await this.relayReadiness.waitForAny(this.options.relayReadyWaitMs ?? 3_000))) {
      this.deps.logger.warn({ nodeId: this.options.nodeId }, 'no relay gateway stream ready yet: registering; /readyz answers 503 until one is');
    }
    await this.deps.registrar.register({
      nodeId: this.options.nodeId,
      url: this.url,
      address: advertised,
      port: actualPort,
      healthUrl: `http://${hostPort(advertised, actualPort)}/readyz`,
    });
    // parley_ready reads the last answer: have one from the start, not only once something asks /readyz.
    await this.readiness.check();
    this.deps.logger.info({ nodeId: this.options.nodeId, url: this.url }, 'IM node listening');
    return { url: this.url, port: actualPort };
  }

  /**
   * Graceful drain: leave discovery first so the gateway stops sending
   * clients here, refuse new sessions, tell connected clients to come back
   * through the gateway in staggered waves, finish in-flight commands, close.
   */
  async drain(): Promise<void> {
    this.draining = true;
    // The ops console shows the drain at once, not at the next report.
    this.relay.reportStatsNow?.();
    await this.deregister();
    this.accepting = false;
    const sockets = await this.io.fetchSockets();
    const startedAt = this.deps.clock.now();
    this.deps.logger.info({ nodeId: this.options.nodeId, sessions: sockets.length }, 'drain started: sessions told to move');
    sockets.forEach((socket, i) => {
      const reconnectAfterMs = Math.floor(((i + 1) / sockets.length) * this.options.drainSpreadMs);
      socket.emit('server:draining', { reconnectAfterMs });
    });
    this.nodeMetrics.sessionsHandedOff.inc(sockets.length);
    await Promise.race([
      Promise.all([this.inFlight.idle(), this.allSocketsGone()]),
      delay(this.options.drainTimeoutMs),
    ]);
    // Those still here at the deadline are cut off by close(); their clients reconnect through the gateway.
    const left = this.io.of('/').sockets.size;
    this.deps.logger.info(
      { nodeId: this.options.nodeId, sessions: sockets.length, moved: Math.max(0, sockets.length - left), cutOff: left, ms: this.deps.clock.now() - startedAt },
      'drain finished',
    );
    await this.close();
  }

  /** Immediate stop (Ctrl-C, tests): leaves discovery, drops sessions without drain messages. */
  async close(): Promise<void> {
    if (this.accepting) await this.deregister();
    this.accepting = false;
    this.io.disconnectSockets(true);
    this.sessionEnds.stop();
    this.resync.stop();
    await this.keeper.stop();
    await this.relay.stop();
    // Resolved by the HTTP server's close, which comes after the promise close() returns.
    await new Promise<void>((resolve) => void this.io.close(() => resolve()));
    this.httpServer.closeAllConnections();
    // Messages already stored are handed to the pusher before the app closes it (bounded: a hung store must not hold shutdown).
    if (this.notifications) await Promise.race([this.notifications.idle(), delay(NOTIFICATIONS_CLOSE_WAIT_MS)]);
    this.stopMetrics.splice(0).forEach((stop) => stop());
  }

  private async deregister(): Promise<void> {
    await this.deps.registrar.deregister(this.options.nodeId).catch((err: unknown) => {
      this.deps.logger.warn({ err }, 'deregistration failed');
    });
  }

  private async allSocketsGone(): Promise<void> {
    while ((await this.io.fetchSockets()).length > 0) await delay(100);
  }

  /** Why the node takes no new sessions (named in /readyz's 503); undefined while it does. */
  private lifecycleState(): string | undefined {
    if (this.draining) return 'draining';
    if (!this.accepting) return this.url ? 'stopped' : 'starting';
    return undefined;
  }
}

/** Room for reconnect storms: thousands of clients moving here at once. */
const LISTEN_BACKLOG = 4096;

/** Longest close() waits for queued pushes to reach the pusher. */
const NOTIFICATIONS_CLOSE_WAIT_MS = 2_000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
