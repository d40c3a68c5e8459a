import { NodeSecretCodec } from '@parley/auth';
import {
  AccountService,
  AuthSessionService,
  LoginGuard,
  NodeAssigner,
  PublicEntry,
  RegistrationGuard,
  createRouter,
  type Clock,
  type ContentPolicy,
  type IdGenerator,
  type LoginLimits,
  type NodeDirectory,
  type NodeUrlAllowList,
  type PasswordHasher,
  type PasswordPolicy,
  type RegistrationLimits,
  type RouterKind,
  type SecretCodec,
  type SessionEndNotifier,
  type Store,
  type ThrottleFactory,
  type TokenService,
} from '@parley/domain';
import { meteredThrottles, type ParleyMetrics } from '@parley/observability';
import { RelayServer, type RelayAuth, type RouteTracer } from '@parley/relay';
import type { Logger } from '@parley/util';
import { GatewayServer } from './gateway-server';
import { handedOutNodes } from './handed-out-nodes';
import { RelayGatewayEvents } from './relay-gateway-events';
import { RelaySessionEnds } from './relay-session-ends';
import { createHttpApp } from './http/http-app';
import { createAdminService } from './admin/create-admin';
import { warnUnclaimedAdminNames } from './admin/unclaimed-admins';
import { GatewayReadiness, type Pingable } from './http/health.router';
import { observeRelayServer } from './metrics/relay-metrics';
import type { GatewayAttachments } from './http/gateway-attachments';
import { UploadSweeper } from './upload-sweeper';
import { PushSubscriptionService, type GatewayPush } from './push/push-subscription-service';

export interface GatewayParts {
  gatewayId: string;
  /** The relay's bind address (internal; see PARLEY_RELAY_HOST). */
  relayHost: string;
  relayPort: number;
  /**
   * The host nodes dial the relay at (PARLEY_ADVERTISE_HOST): with a cluster
   * secret only proofs made for this gateway's own relay addresses are
   * accepted (see RelayServerOptions.advertiseHost). Unset: the bind host and loopback.
   */
  relayAdvertiseHost?: string;
  /** More `host:port` names of this relay nodes may dial (PARLEY_RELAY_AUDIENCES). */
  relayAudiences?: readonly string[];
  relayAuth: RelayAuth;
  /** Frames queued toward one node beyond which Deliver frames to it are dropped (PARLEY_RELAY_MAX_QUEUED_FRAMES). @default RelayServer's 10_000 */
  relayMaxQueuedFrames?: number;
  router: RouterKind;
  staticDir?: string;
  store: Store;
  directory: NodeDirectory;
  /**
   * Node URLs the gateway may hand to clients; others are ignored (and logged
   * once per node id). Unset: every node the directory lists (embedded mode,
   * whose in-process registry nobody else can write to).
   */
  nodeUrlAllow?: NodeUrlAllowList;
  /**
   * The public base URL (PARLEY_PUBLIC_ENTRY, an http(s) origin) through which
   * clients reach every node at `/n/<nodeId>/socket.io/`. Set: assignments
   * name the entry and that path, node URLs are never handed out (so
   * nodeUrlAllow is not consulted), nodes whose id cannot stand in a path are
   * ignored. Unset: assignments name the node's own URL and `/socket.io`.
   */
  publicEntry?: string;
  hasher: PasswordHasher;
  passwordPolicy: PasswordPolicy;
  /** Counters for login and registration limits: Redis in a cluster (shared by every gateway), memory when embedded. */
  throttles: ThrottleFactory;
  /**
   * The Redis those counters live in (PARLEY_REDIS_URL), when they do: /readyz
   * pings it (the limits fail closed without it) and each throttle call is timed
   * in parley_redis_operation_duration_seconds. Unset: memory counters, nothing to check.
   */
  throttlesRedis?: Pingable;
  /** The process's one metrics registry (HTTP timings, relay, assignments, rate limits, readiness). */
  metrics: ParleyMetrics;
  /**
   * PARLEY_METRICS_PORT: /metrics on a listener of its own (on the HTTP host;
   * 0 picks a free port), and 404 on the main port. Unset: /metrics on the main port.
   */
  metricsPort?: number;
  /** Overrides of DEFAULT_LOGIN_LIMITS / DEFAULT_REGISTRATION_LIMITS. */
  limits?: { login?: Partial<LoginLimits>; registration?: Partial<RegistrationLimits> };
  /** Express `trust proxy` (PARLEY_TRUST_PROXY): which proxies may name the client IP. @default false */
  trustProxy?: false | number | string;
  /** Leading bits of an IPv6 address that name one client for the limits (PARLEY_IPV6_PREFIX). @default 64 */
  ipv6PrefixBits?: number;
  tokens: TokenService;
  /** Refresh-token lifetime (PARLEY_REFRESH_TTL_SECONDS). @default DEFAULT_REFRESH_TTL_SECONDS (30 days) */
  refreshTtlSeconds?: number;
  /** PARLEY_ADMIN_USERS: usernames that may use the admin API (besides users with the store's admin role). @default none */
  adminUsernames?: readonly string[];
  /** Tells the IM nodes which sessions ended, so their sockets close. @default RelaySessionEnds: through this gateway's relay streams */
  sessionEnds?: SessionEndNotifier;
  /** Refresh-token secrets and fingerprints. @default NodeSecretCodec */
  secrets?: SecretCodec;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
  /** Logs (and spans) the route of each traced message through this gateway's relay (GatewayRouteTracer). @default not followed */
  routeTracer?: RouteTracer;
  /** What display names must pass (the word filter: registration, PATCH /api/me). @default a policy that passes everything */
  content?: ContentPolicy;
  /** Uploads, attachment links, fs transfers and the upload sweep. @default none: those routes answer UNAVAILABLE */
  attachments?: GatewayAttachments;
  /** How often expired unsent uploads are swept (PARLEY_UPLOAD_SWEEP_SEC). @default 60 s */
  uploadSweepMs?: number;
  /** Web Push (VAPID keys configured): the key browsers subscribe with, the endpoint policy. @default none: /api/push answers UNAVAILABLE */
  push?: GatewayPush;
}

/** Wires a gateway from its adapters; shared by the gateway app and embedded mode. */
export function createGateway(parts: GatewayParts): GatewayServer {
  const { store, hasher, tokens, ids, clock, logger, metrics } = parts;
  const role = metrics.forGateway(parts.gatewayId);
  const throttles = meteredThrottles(parts.throttles, metrics, role, { timeRedis: parts.throttlesRedis !== undefined });
  const publicEntry = parts.publicEntry === undefined ? undefined : PublicEntry.parse(parts.publicEntry);
  const directory = handedOutNodes(parts.directory, logger, publicEntry, parts.nodeUrlAllow);
  const loginGuard = new LoginGuard(throttles, parts.limits?.login);
  const registrationGuard = new RegistrationGuard(throttles, parts.limits?.registration);
  const relay = new RelayServer({
    gatewayId: parts.gatewayId,
    host: parts.relayHost,
    port: parts.relayPort,
    advertiseHost: parts.relayAdvertiseHost,
    audiences: parts.relayAudiences,
    auth: parts.relayAuth,
    maxBufferedFrames: parts.relayMaxQueuedFrames,
    logger: logger.child({ component: 'relay' }),
  });
  if (parts.routeTracer) relay.traceRoutes(parts.routeTracer);
  const sessionEnds = parts.sessionEnds ?? new RelaySessionEnds(relay, ids, logger.child({ component: 'session-ends' }));
  const sessions = new AuthSessionService({
    store,
    tokens,
    hasher,
    secrets: parts.secrets ?? new NodeSecretCodec(),
    ids,
    clock,
    sessionEnds,
    events: new RelayGatewayEvents(relay, ids),
    passwordPolicy: parts.passwordPolicy,
    passwordGuard: loginGuard,
    refreshTtlSeconds: parts.refreshTtlSeconds,
    onNotifyError: (err) => logger.warn({ err }, 'could not tell the IM nodes that sessions ended'),
  });
  const adminUsernames = parts.adminUsernames ?? [];
  // Names that grant admin are reserved: a stranger cannot register one nobody holds yet.
  const accounts = new AccountService({
    store,
    hasher,
    passwordPolicy: parts.passwordPolicy,
    sessions,
    ids,
    clock,
    loginGuard,
    registrationGuard,
    reservedUsernames: adminUsernames,
    content: parts.content,
  });
  const stopRelayMetrics = observeRelayServer(metrics, role, relay);
  // Not ready while stopping, while the database or the limits' Redis does not answer, or the relay is not listening.
  const readiness = new GatewayReadiness({ store, redis: parts.throttlesRedis, relay, clock, logger: logger.child({ component: 'readiness' }) });
  const stopReadyMetric = metrics.observeGauge(metrics.ready, () => [[role, readiness.readyNow() ? 1 : 0]]);
  const admin = createAdminService({
    gatewayId: parts.gatewayId,
    store,
    relay,
    sessionEnds,
    throttles,
    adminUsernames,
    metrics,
    clock,
    ids,
    logger: logger.child({ component: 'admin' }),
  });
  const app = createHttpApp({
    admin,
    gatewayId: parts.gatewayId,
    metrics,
    metricsServedElsewhere: parts.metricsPort !== undefined,
    newRequestId: () => ids.next(),
    readiness,
    accounts,
    sessions,
    assigner: new NodeAssigner(directory, createRouter(parts.router), publicEntry),
    directory,
    publicEntry,
    logger,
    staticDir: parts.staticDir,
    trustProxy: parts.trustProxy,
    ipv6PrefixBits: parts.ipv6PrefixBits,
    attachments: parts.attachments,
    push: new PushSubscriptionService({ store, push: parts.push, ids, clock }),
    clock,
  });
  const sweeper = parts.attachments && new UploadSweeper(parts.attachments.service, logger.child({ component: 'uploads' }), parts.uploadSweepMs);
  return new GatewayServer({
    app,
    relay,
    directory,
    logger,
    readiness,
    metrics,
    metricsPort: parts.metricsPort,
    stopMetrics: () => {
      stopRelayMetrics();
      stopReadyMetric();
    },
    afterStart: () => warnUnclaimedAdminNames(store, adminUsernames, logger.child({ component: 'admin' })),
    background: sweeper ? [sweeper] : [],
  });
}
