import os from 'node:os';
import { z } from 'zod';
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
  PARLEY_PRESENCE_TTL_MS: z.coerce.number().int().min(1000).default(15_000),
  PARLEY_HEARTBEAT_MS: z.coerce.number().int().min(100).default(5_000),
  PARLEY_DRAIN_SPREAD_MS: z.coerce.number().int().min(0).default(2_000),
  PARLEY_DRAIN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  PARLEY_GROUP_MAX_MEMBERS: z.coerce.number().int().min(2).default(2_000),
  /** Messages one user may send per second through this node, after a burst. */
  PARLEY_SEND_RATE_PER_SEC: z.coerce.number().positive().default(30),
  PARLEY_SEND_BURST: z.coerce.number().int().min(1).default(60),
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
