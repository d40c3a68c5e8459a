import os from 'node:os';
import { z } from 'zod';
import { DEFAULT_GROUP_OPTIONS } from '@parley/domain';
import { DEFAULT_IM_NODE, DEFAULT_PRESENCE_KEEPER } from '@parley/im-node';
import { consulEnv, csv, jwtEnv, logEnv, parseEnvConfig, relayAuthEnv, storeEnv } from '@parley/util-node';

const imEnv = z.object({
  /** Unique per node; defaults to im-<hostname>-<port>. */
  PARLEY_NODE_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).optional(),
  PARLEY_HOST: z.string().default('127.0.0.1'),
  PARLEY_PORT: z.coerce.number().int().min(0).max(65_535).default(9101),
  /** URL browsers are given for this node, when it differs from http://host:port (proxies). */
  PARLEY_PUBLIC_URL: z.url().optional(),
  /** Relay addresses (host:port) of every gateway. */
  PARLEY_GATEWAYS: z.string().default('127.0.0.1:50051'),
  /** Redis for presence; without it presence is in-process (single node only). */
  PARLEY_REDIS_URL: z.string().startsWith('redis://').optional(),
  /** Namespace of the presence keys: clusters that share one Redis need different ones. */
  PARLEY_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/).default('parley:'),
  PARLEY_DISCOVERY: z.enum(['consul', 'none']).default('consul'),
  PARLEY_PRESENCE_TTL_MS: z.coerce.number().int().min(1000).default(DEFAULT_PRESENCE_KEEPER.ttlMs),
  PARLEY_HEARTBEAT_MS: z.coerce.number().int().min(100).default(DEFAULT_PRESENCE_KEEPER.heartbeatMs),
  PARLEY_DRAIN_SPREAD_MS: z.coerce.number().int().min(0).default(DEFAULT_IM_NODE.drainSpreadMs),
  PARLEY_DRAIN_TIMEOUT_MS: z.coerce.number().int().min(0).default(DEFAULT_IM_NODE.drainTimeoutMs),
  PARLEY_GROUP_MAX_MEMBERS: z.coerce.number().int().min(2).default(DEFAULT_GROUP_OPTIONS.maxMembers),
  /** Messages one user may send per second through this node, after a burst. */
  PARLEY_SEND_RATE_PER_SEC: z.coerce.number().positive().default(DEFAULT_IM_NODE.sendRatePerSec),
  PARLEY_SEND_BURST: z.coerce.number().int().min(1).default(DEFAULT_IM_NODE.sendBurst),
})
  .extend(logEnv.shape)
  .extend(jwtEnv.shape)
  .extend(storeEnv.shape)
  .extend(consulEnv.shape)
  .extend(relayAuthEnv.shape);

export type ImConfig = z.output<typeof imEnv> & { nodeId: string; gateways: string[] };

export function loadImConfig(env: NodeJS.ProcessEnv): Readonly<ImConfig> {
  const parsed = parseEnvConfig(imEnv, env);
  return Object.freeze({
    ...parsed,
    nodeId: parsed.PARLEY_NODE_ID ?? `im-${os.hostname()}-${parsed.PARLEY_PORT}`,
    gateways: csv(parsed.PARLEY_GATEWAYS),
  });
}
