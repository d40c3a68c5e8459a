import os from 'node:os';
import { z } from 'zod';
import { DEFAULT_GROUP_OPTIONS, PATH_SAFE_NODE_ID_RULE, defaultInstanceId, isPathSafeNodeId } from '@parley/domain';
import { DEFAULT_IM_NODE, DEFAULT_PRESENCE_KEEPER } from '@parley/im-node';
import { moderationEnv } from '@parley/moderation';
import { blobEnv } from '@parley/attachments';
import { traceEnv } from '@parley/observability';
import { pushEnv } from '@parley/push';
import { advertiseEnv, consulEnv, csv, jwtEnv, logEnv, parseEnvConfig, relayAuthEnv, storeEnv } from '@parley/util-node';

/** The gateway's default address as a browser names it (npm start, docker/compose.yml). */
const DEFAULT_ALLOWED_ORIGINS = 'http://localhost:8080,http://127.0.0.1:8080';

const imEnv = z.object({
  /**
   * Unique per node; defaults to im-<hostname>-<port> made one DNS label (what a public entry routes).
   * The relay's identity rule (cluster secret) also takes dots and 64 characters: such an id starts, with a warning.
   */
  PARLEY_NODE_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).optional(),
  PARLEY_HOST: z.string().default('127.0.0.1'),
  PARLEY_PORT: z.coerce.number().int().min(0).max(65_535).default(9101),
  /**
   * GET /metrics on a listener of its own (on PARLEY_HOST), for Prometheus only; the node's port then
   * answers /metrics 404. Unset: /metrics on PARLEY_PORT.
   */
  PARLEY_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** URL browsers are given for this node, when it differs from http://<advertised host>:port (proxies). */
  PARLEY_PUBLIC_URL: z.url().optional(),
  /**
   * Relay addresses (host:port) of every gateway: a fixed list. Unset: watched in Consul
   * (PARLEY_CONSUL_GATEWAY_SERVICE) with consul discovery, else 127.0.0.1:50051.
   */
  PARLEY_GATEWAYS: z.string().optional(),
  /** Redis for presence; without it presence is in-process (single node only). */
  PARLEY_REDIS_URL: z.string().startsWith('redis://').optional(),
  /** Namespace of the presence keys: clusters that share one Redis need different ones. */
  PARLEY_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/).default('parley:'),
  /** `consul`: registers in Consul (and watches gateways there); `static`: no registry (`none`: its old name, deprecated). */
  PARLEY_DISCOVERY: z.enum(['consul', 'static', 'none']).default('consul'),
  PARLEY_PRESENCE_TTL_MS: z.coerce.number().int().min(1000).default(DEFAULT_PRESENCE_KEEPER.ttlMs),
  PARLEY_HEARTBEAT_MS: z.coerce.number().int().min(100).default(DEFAULT_PRESENCE_KEEPER.heartbeatMs),
  /** Relay frames kept while no gateway is reachable; past it the oldest are dropped and their rooms told to sync. Unset: RelayOutbox's default (10_000). */
  PARLEY_RELAY_OUTBOX_LIMIT: z.coerce.number().int().min(1).optional(),
  PARLEY_DRAIN_SPREAD_MS: z.coerce.number().int().min(0).default(DEFAULT_IM_NODE.drainSpreadMs),
  PARLEY_DRAIN_TIMEOUT_MS: z.coerce.number().int().min(0).default(DEFAULT_IM_NODE.drainTimeoutMs),
  PARLEY_GROUP_MAX_MEMBERS: z.coerce.number().int().min(2).default(DEFAULT_GROUP_OPTIONS.maxMembers),
  /** Messages one user may send per second through this node, after a burst. */
  PARLEY_SEND_RATE_PER_SEC: z.coerce.number().positive().default(DEFAULT_IM_NODE.sendRatePerSec),
  PARLEY_SEND_BURST: z.coerce.number().int().min(1).default(DEFAULT_IM_NODE.sendBurst),
  /** Command tokens one user's sockets on a node may spend at once, and regain per second (costs in libs/im-node/src/socket/command-costs.ts). */
  PARLEY_COMMAND_BURST: z.coerce.number().int().min(10).default(DEFAULT_IM_NODE.commandBurst),
  PARLEY_COMMAND_RATE_PER_SEC: z.coerce.number().positive().default(DEFAULT_IM_NODE.commandRatePerSec),
  /** At most one typing fan-out per (conversation, user) per this many ms; 0 turns coalescing off. */
  PARLEY_TYPING_COALESCE_MS: z.coerce.number().int().min(0).default(DEFAULT_IM_NODE.typingCoalesceMs),
  /** Messages one user may send per window across the whole cluster (Redis; in process without PARLEY_REDIS_URL). */
  PARLEY_USER_SEND_LIMIT: z.coerce.number().int().min(1).default(DEFAULT_IM_NODE.userSendLimit),
  PARLEY_USER_SEND_WINDOW_SEC: z.coerce.number().int().min(1).default(DEFAULT_IM_NODE.userSendWindowSec),
  /** Points one user may spend per window across the cluster on friend requests, invitations, group creation, joins and blocks. */
  PARLEY_USER_SOCIAL_LIMIT: z.coerce.number().int().min(10).default(DEFAULT_IM_NODE.userSocialLimit),
  PARLEY_USER_SOCIAL_WINDOW_SEC: z.coerce.number().int().min(1).default(DEFAULT_IM_NODE.userSocialWindowSec),
  /** How long after sending its sender may recall a message, ms (group owners and admins always may). */
  PARLEY_RECALL_WINDOW_MS: z.coerce.number().int().min(0).default(DEFAULT_IM_NODE.recallWindowMs),
  /**
   * Web origins (comma list of scheme://host[:port]) whose pages may open a
   * session; clients that send no Origin (not browsers) always may. The
   * default fits the gateway's default port on this machine (npm start, docker/).
   */
  PARLEY_ALLOWED_ORIGINS: z.string().default(DEFAULT_ALLOWED_ORIGINS),
})
  .extend(advertiseEnv.shape)
  .extend(logEnv.shape)
  .extend(jwtEnv.shape)
  .extend(storeEnv.shape)
  .extend(consulEnv.shape)
  .extend(relayAuthEnv.shape)
  .extend(traceEnv.shape)
  .extend(moderationEnv.shape)
  .extend(blobEnv.shape)
  // Read again by pushConfigFromEnv (keys as a pair); listed here so they are known keys.
  .extend(pushEnv.shape);

/** Where the node finds gateways: a fixed list of relay addresses, or Consul's live ones. */
export type GatewaySource = { kind: 'static'; addresses: string[] } | { kind: 'consul' };

export const DEFAULT_GATEWAYS = '127.0.0.1:50051';

export type ImConfig = z.output<typeof imEnv> & {
  nodeId: string;
  discovery: 'consul' | 'static';
  gatewaySource: GatewaySource;
  allowedOrigins: string[];
  /** Said at warn level once the logger exists (deprecated names, a node without shared presence). */
  warnings: string[];
};

/**
 * Parses the node's environment. Refuses consul discovery without
 * PARLEY_REDIS_URL: a node that joins a discovered cluster with presence of
 * its own would tell its users' friends they are offline.
 */
export function loadImConfig(env: NodeJS.ProcessEnv, hostname = os.hostname()): Readonly<ImConfig> {
  const parsed = parseEnvConfig(imEnv, env);
  const nodeId = parsed.PARLEY_NODE_ID ?? defaultInstanceId('im', hostname, parsed.PARLEY_PORT);
  const discovery = parsed.PARLEY_DISCOVERY === 'consul' ? 'consul' : 'static';
  const warnings: string[] = [];
  if (parsed.PARLEY_DISCOVERY === 'none') warnings.push('PARLEY_DISCOVERY=none is deprecated: it is now called static');
  if (!isPathSafeNodeId(nodeId)) {
    warnings.push(
      `PARLEY_NODE_ID ${nodeId} is not ${PATH_SAFE_NODE_ID_RULE}: a gateway with PARLEY_PUBLIC_ENTRY never hands this node out (clients cannot reach it through the public entry)`,
    );
  }
  if (!parsed.PARLEY_REDIS_URL) {
    if (discovery === 'consul') {
      throw new Error(
        'invalid configuration: PARLEY_REDIS_URL: required with PARLEY_DISCOVERY=consul (presence must be shared by every node of a cluster); set it, or run a single node with PARLEY_DISCOVERY=static',
      );
    }
    warnings.push('no PARLEY_REDIS_URL: presence and limits are this node\'s alone; run a single node only, or set PARLEY_REDIS_URL');
  }
  const gatewaySource: GatewaySource =
    parsed.PARLEY_GATEWAYS === undefined && discovery === 'consul'
      ? { kind: 'consul' }
      : { kind: 'static', addresses: csv(parsed.PARLEY_GATEWAYS ?? DEFAULT_GATEWAYS) };
  return Object.freeze({
    ...parsed,
    nodeId,
    discovery,
    gatewaySource,
    allowedOrigins: csv(parsed.PARLEY_ALLOWED_ORIGINS),
    warnings,
  });
}
