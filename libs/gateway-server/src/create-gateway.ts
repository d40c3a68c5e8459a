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
import { RelayServer, type RelayAuth, type RouteTracer } from '@parley/relay';
import type { Logger } from '@parley/util';
import { GatewayServer } from './gateway-server';
import { handedOutNodes } from './handed-out-nodes';
import { RelayGatewayEvents } from './relay-gateway-events';
import { RelaySessionEnds } from './relay-session-ends';
import { createHttpApp } from './http/http-app';
import { GatewayReadiness } from './http/health.router';

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
  /** Overrides of DEFAULT_LOGIN_LIMITS / DEFAULT_REGISTRATION_LIMITS. */
  limits?: { login?: Partial<LoginLimits>; registration?: Partial<RegistrationLimits> };
  /** Express `trust proxy` (PARLEY_TRUST_PROXY): which proxies may name the client IP. @default false */
  trustProxy?: false | number | string;
  /** Leading bits of an IPv6 address that name one client for the limits (PARLEY_IPV6_PREFIX). @default 64 */
  ipv6PrefixBits?: number;
  tokens: TokenService;
  /** Refresh-token lifetime (PARLEY_REFRESH_TTL_SECONDS). @default DEFAULT_REFRESH_TTL_SECONDS (30 days) */
  refreshTtlSeconds?: number;
  /** Tells the IM nodes which sessions ended, so their sockets close. @default RelaySessionEnds: through this gateway's relay streams */
  sessionEnds?: SessionEndNotifier;
  /** Refresh-token secrets and fingerprints. @default NodeSecretCodec */
  secrets?: SecretCodec;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
  /** Logs (and spans) the route of each traced message through this gateway's relay (GatewayRouteTracer). @default not followed */
  routeTracer?: RouteTracer;
}

/** Wires a gateway from its adapters; shared by the gateway app and embedded mode. */
export function createGateway(parts: GatewayParts): GatewayServer {
  const { store, hasher, tokens, ids, clock, logger } = parts;
  const publicEntry = parts.publicEntry === undefined ? undefined : PublicEntry.parse(parts.publicEntry);
  const directory = handedOutNodes(parts.directory, logger, publicEntry, parts.nodeUrlAllow);
  const loginGuard = new LoginGuard(parts.throttles, parts.limits?.login);
  const registrationGuard = new RegistrationGuard(parts.throttles, parts.limits?.registration);
  const relay = new RelayServer({
    gatewayId: parts.gatewayId,
    host: parts.relayHost,
    port: parts.relayPort,
    advertiseHost: parts.relayAdvertiseHost,
    audiences: parts.relayAudiences,
    auth: parts.relayAuth,
    logger: logger.child({ component: 'relay' }),
  });
  if (parts.routeTracer) relay.traceRoutes(parts.routeTracer);
  const sessions = new AuthSessionService({
    store,
    tokens,
    hasher,
    secrets: parts.secrets ?? new NodeSecretCodec(),
    ids,
    clock,
    sessionEnds: parts.sessionEnds ?? new RelaySessionEnds(relay, ids, logger.child({ component: 'session-ends' })),
    events: new RelayGatewayEvents(relay, ids),
    passwordPolicy: parts.passwordPolicy,
    passwordGuard: loginGuard,
    refreshTtlSeconds: parts.refreshTtlSeconds,
    onNotifyError: (err) => logger.warn({ err }, 'could not tell the IM nodes that sessions ended'),
  });
  const accounts = new AccountService({ store, hasher, passwordPolicy: parts.passwordPolicy, sessions, ids, clock, loginGuard, registrationGuard });
  // Not ready while stopping or while the database does not answer.
  const readiness = new GatewayReadiness(store);
  const app = createHttpApp({
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
  });
  return new GatewayServer({ app, relay, directory, logger, readiness });
}
