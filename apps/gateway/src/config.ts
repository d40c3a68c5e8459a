import { z } from 'zod';
import { LOOPBACK_NODE_HOSTS, NodeUrlAllowList, type NodeInstance } from '@parley/domain';
import { consulEnv, csv, jwtEnv, logEnv, parseEnvConfig, relayAuthEnv, storeEnv } from '@parley/util-node';

const gatewayEnv = z.object({
  PARLEY_GATEWAY_ID: z.string().min(1).default('gw-1'),
  PARLEY_HOST: z.string().default('127.0.0.1'),
  PARLEY_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  /** gRPC relay listener that every IM node connects to. */
  PARLEY_RELAY_PORT: z.coerce.number().int().min(0).max(65_535).default(50_051),
  /** The relay's own bind address: internal, never the public one by accident. */
  PARLEY_RELAY_HOST: z.string().default('127.0.0.1'),
  PARLEY_ROUTER: z.enum(['round-robin', 'room-hash']).default('round-robin'),
  /** `consul` watches healthy nodes; `static` uses PARLEY_STATIC_NODES (id=url,...). */
  PARLEY_DISCOVERY: z.enum(['consul', 'static']).default('consul'),
  PARLEY_STATIC_NODES: z.string().default(''),
  PARLEY_STATIC_DIR: z.string().default('static/dist'),
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
  .extend(logEnv.shape)
  .extend(jwtEnv.shape)
  .extend(storeEnv.shape)
  .extend(consulEnv.shape)
  .extend(relayAuthEnv.shape);

export type GatewayConfig = z.output<typeof gatewayEnv>;

export function loadGatewayConfig(env: NodeJS.ProcessEnv): Readonly<GatewayConfig> {
  return parseEnvConfig(gatewayEnv, env);
}

/** `PARLEY_STATIC_NODES=im-1=http://127.0.0.1:9101,im-2=http://127.0.0.1:9102` */
export function parseStaticNodes(value: string): NodeInstance[] {
  return csv(value).map((entry) => {
    const at = entry.indexOf('=');
    if (at <= 0) throw new Error(`PARLEY_STATIC_NODES: "${entry}" is not id=url`);
    return { nodeId: entry.slice(0, at), url: new URL(entry.slice(at + 1)).toString().replace(/\/$/, '') };
  });
}
