import { isIP } from 'node:net';
import os from 'node:os';
import { z } from 'zod';
import {
  DEFAULT_LOGIN_LIMITS,
  DEFAULT_REFRESH_TTL_SECONDS,
  DEFAULT_REGISTRATION_LIMITS,
  LOOPBACK_NODE_HOSTS,
  NodeUrlAllowList,
  PublicEntry,
  defaultInstanceId,
  type LoginLimits,
  type NodeInstance,
  type RegistrationLimits,
} from '@parley/domain';
import { moderationEnv } from '@parley/moderation';
import { blobEnv, uploadSweepEnv } from '@parley/attachments';
import { traceEnv } from '@parley/observability';
import { pushEnv } from '@parley/push';
import { USERNAME_PATTERN } from '@parley/protocol';
import { advertiseEnv, consulEnv, csv, jwtEnv, logEnv, parseEnvConfig, relayAudiencesEnv, relayAuthEnv, storeEnv } from '@parley/util-node';

const count = (fallback: number) => z.coerce.number().int().min(1).default(fallback);
/** A comma list of usernames, each under the registration rule (a typo fails at start rather than locking the operator out). */
const adminUsersEnv = z
  .string()
  .default('')
  .transform((value) => csv(value))
  .pipe(z.array(z.string().regex(USERNAME_PATTERN, 'each entry must be a username (3-32 of letters, digits, "_", "." or "-")')));

/** Express's names for address ranges a trusted proxy may sit in. */
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * PARLEY_TRUST_PROXY as Express's `trust proxy`: `false`, a hop count, or a
 * comma list of proxy addresses, CIDRs and range names. Never `true`: Express
 * would then believe the left-most X-Forwarded-For entry, which the client
 * writes itself, and one forged header would escape every per-address limit.
 */
function parseTrustProxy(value: string, ctx: z.RefinementCtx): false | number | string {
  const v = value.trim();
  if (v === '' || v === 'false' || v === '0') return false;
  if (v === 'true') {
    ctx.addIssue({
      code: 'custom',
      message: 'true would believe the X-Forwarded-For entry the client writes itself; name the proxies: a hop count (1), loopback/linklocal/uniquelocal, or their addresses/CIDRs',
    });
    return z.NEVER;
  }
  if (/^\d+$/.test(v)) return Number(v);
  const bad = v
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => !PROXY_RANGES.has(entry) && !isAddressOrCidr(entry));
  if (bad.length > 0) {
    ctx.addIssue({ code: 'custom', message: `not a hop count, loopback/linklocal/uniquelocal, address or CIDR: ${bad.join(', ')}` });
    return z.NEVER;
  }
  return v;
}

function isAddressOrCidr(entry: string): boolean {
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** Login and registration limits (see LoginGuard / RegistrationGuard); counted in Redis when PARLEY_REDIS_URL is set. */
const limitsEnv = z.object({
  /** Redis shared by every gateway for the limits; without it each gateway counts alone (one gateway only). */
  PARLEY_REDIS_URL: z.string().startsWith('redis://').optional(),
  /** Namespace of the keys: clusters that share one Redis need different ones. */
  PARLEY_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/).default('parley:'),
  /**
   * Express `trust proxy`: `false` (default; the TCP peer is the client), a hop count, or a
   * comma list of addresses, CIDRs or `loopback`/`linklocal`/`uniquelocal` naming the proxies whose
   * X-Forwarded-For is believed (e.g. nginx in front: `loopback` or its subnet). `true` is refused.
   */
  PARLEY_TRUST_PROXY: z.string().default('false').transform(parseTrustProxy),
  /** Leading bits of an IPv6 address that name one client for the per-address limits (a subscriber holds a whole /64). */
  PARLEY_IPV6_PREFIX: z.coerce.number().int().min(16).max(128).default(64),
  PARLEY_LOGIN_ACCOUNT_IP_FREE_FAILURES: count(DEFAULT_LOGIN_LIMITS.accountIpFreeFailures),
  PARLEY_LOGIN_ACCOUNT_FREE_FAILURES: count(DEFAULT_LOGIN_LIMITS.accountFreeFailures),
  PARLEY_LOGIN_BACKOFF_BASE_SEC: count(DEFAULT_LOGIN_LIMITS.backoffBaseSec),
  PARLEY_LOGIN_BACKOFF_MAX_SEC: count(DEFAULT_LOGIN_LIMITS.backoffMaxSec),
  PARLEY_LOGIN_FAILURE_MEMORY_SEC: count(DEFAULT_LOGIN_LIMITS.failureMemorySec),
  PARLEY_LOGIN_IP_FAILURES: count(DEFAULT_LOGIN_LIMITS.ipFailures),
  PARLEY_LOGIN_IP_WINDOW_SEC: count(DEFAULT_LOGIN_LIMITS.ipWindowSec),
  PARLEY_LOGIN_KNOWN_CLIENT_SEC: count(DEFAULT_LOGIN_LIMITS.knownClientSec),
  PARLEY_REGISTER_PER_IP: count(DEFAULT_REGISTRATION_LIMITS.perIp),
  PARLEY_REGISTER_WINDOW_SEC: count(DEFAULT_REGISTRATION_LIMITS.windowSec),
  /** argon2 hashes running at once, and waiting beyond which sign-ins get 429 (see Argon2Options). */
  PARLEY_ARGON2_CONCURRENCY: z.coerce.number().int().min(1).optional(),
  PARLEY_ARGON2_MAX_QUEUE: z.coerce.number().int().min(0).optional(),
});

const gatewayEnv = z.object({
  /** Unique per gateway (its Consul service ID); unset: gw-<hostname>-<port> made one DNS label. At most 128: the audit log's gateway_id column. */
  PARLEY_GATEWAY_ID: z.string().min(1).max(128).optional(),
  PARLEY_HOST: z.string().default('127.0.0.1'),
  PARLEY_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  /** gRPC relay listener that every IM node connects to. */
  PARLEY_RELAY_PORT: z.coerce.number().int().min(0).max(65_535).default(50_051),
  /** The relay's own bind address: internal, never the public one by accident. */
  PARLEY_RELAY_HOST: z.string().default('127.0.0.1'),
  /**
   * Frames queued toward one node beyond which Deliver frames to it are dropped (the node is told
   * their rooms once it drains, and asks those sessions to sync). Unset: RelayServer's default (10_000).
   */
  PARLEY_RELAY_MAX_QUEUED_FRAMES: z.coerce.number().int().min(1).optional(),
  /**
   * GET /metrics on a listener of its own (on PARLEY_HOST), for Prometheus only; the main port then
   * answers /metrics 404. Unset: /metrics on PARLEY_PORT (keep it off the public entry).
   */
  PARLEY_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  PARLEY_ROUTER: z.enum(['round-robin', 'room-hash']).default('round-robin'),
  /** Usernames that may use the admin API (`ann,bob`), besides users with the store's admin role. */
  PARLEY_ADMIN_USERS: adminUsersEnv,
  /**
   * `consul`: registers this gateway's relay (PARLEY_CONSUL_GATEWAY_SERVICE) and watches healthy
   * nodes (PARLEY_CONSUL_SERVICE); `static`: PARLEY_STATIC_NODES (id=url,...), probed on /readyz.
   */
  PARLEY_DISCOVERY: z.enum(['consul', 'static']).default('consul'),
  PARLEY_STATIC_NODES: z.string().default(''),
  PARLEY_STATIC_DIR: z.string().default('static/dist'),
  /**
   * The public http(s) origin through which clients reach every node at `/n/<nodeId>/socket.io/`
   * (nginx in front). Set: assignments name it and that path, PARLEY_NODE_URL_ALLOW is not consulted.
   */
  PARLEY_PUBLIC_ENTRY: z
    .string()
    .optional()
    .transform((spec, ctx) => {
      if (spec === undefined || spec.trim() === '') return undefined;
      try {
        return PublicEntry.parse(spec).url;
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /** How long a refresh token (an idle sign-in) lives: 5 minutes to a year. */
  PARLEY_REFRESH_TTL_SECONDS: z.coerce.number().int().min(300).max(365 * 86_400).default(DEFAULT_REFRESH_TTL_SECONDS),
  /** Host patterns (`*.parley.internal`, `10.0.0.5`, `host:port`) a node's URL must match to be handed out. */
  PARLEY_NODE_URL_ALLOW: z
    .string()
    .default(LOOPBACK_NODE_HOSTS)
    .transform((spec, ctx) => {
      try {
        return NodeUrlAllowList.parse(spec);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
})
  .extend(advertiseEnv.shape)
  .extend(logEnv.shape)
  .extend(jwtEnv.shape)
  .extend(storeEnv.shape)
  .extend(consulEnv.shape)
  .extend(relayAuthEnv.shape)
  .extend(relayAudiencesEnv.shape)
  .extend(limitsEnv.shape)
  .extend(traceEnv.shape)
  // All of it, though a gateway screens only display names: one env file may serve gateways and nodes.
  .extend(moderationEnv.shape)
  .extend(blobEnv.shape)
  .extend(uploadSweepEnv.shape)
  // Read again by pushConfigFromEnv (keys as a pair); listed here so they are known keys.
  .extend(pushEnv.shape);

export type GatewayConfig = z.output<typeof gatewayEnv> & { PARLEY_GATEWAY_ID: string };

/**
 * Parses the gateway's environment. Two gateways on one Consul agent must not
 * share an id (the second would replace the first), hence a default made of
 * the host name and the HTTP port rather than one fixed name.
 */
export function loadGatewayConfig(env: NodeJS.ProcessEnv, hostname = os.hostname()): Readonly<GatewayConfig> {
  const parsed = parseEnvConfig(gatewayEnv, env);
  return Object.freeze({ ...parsed, PARLEY_GATEWAY_ID: parsed.PARLEY_GATEWAY_ID ?? defaultInstanceId('gw', hostname, parsed.PARLEY_PORT) });
}

/** The login and registration limits a parsed config asks for. */
export function limitsOf(config: z.output<typeof limitsEnv>): { login: LoginLimits; registration: RegistrationLimits } {
  return {
    login: {
      accountIpFreeFailures: config.PARLEY_LOGIN_ACCOUNT_IP_FREE_FAILURES,
      accountFreeFailures: config.PARLEY_LOGIN_ACCOUNT_FREE_FAILURES,
      backoffBaseSec: config.PARLEY_LOGIN_BACKOFF_BASE_SEC,
      backoffMaxSec: config.PARLEY_LOGIN_BACKOFF_MAX_SEC,
      failureMemorySec: config.PARLEY_LOGIN_FAILURE_MEMORY_SEC,
      ipFailures: config.PARLEY_LOGIN_IP_FAILURES,
      ipWindowSec: config.PARLEY_LOGIN_IP_WINDOW_SEC,
      knownClientSec: config.PARLEY_LOGIN_KNOWN_CLIENT_SEC,
    },
    registration: { perIp: config.PARLEY_REGISTER_PER_IP, windowSec: config.PARLEY_REGISTER_WINDOW_SEC },
  };
}

/** `PARLEY_STATIC_NODES=im-1=http://127.0.0.1:9101,im-2=http://127.0.0.1:9102` */
export function parseStaticNodes(value: string): NodeInstance[] {
  return csv(value).map((entry) => {
    const at = entry.indexOf('=');
    if (at <= 0) throw new Error(`PARLEY_STATIC_NODES: "${entry}" is not id=url`);
    return { nodeId: entry.slice(0, at), url: new URL(entry.slice(at + 1)).toString().replace(/\/$/, '') };
  });
}
