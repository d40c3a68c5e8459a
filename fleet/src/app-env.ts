/**
 * The environment each app of the fleet starts with: what an operator gives
 * a process on its own host. It names the shared services (store, Redis,
 * Consul), the secrets and the public entry, and the app's own address;
 * never another gateway or node, so growing or shrinking the fleet changes
 * nobody's configuration.
 */
export interface FleetServices {
  consulAddress: string;
  consulPort: number;
  redisUrl: string;
  mysqlUrl: string;
  /** Base URL of the public entry (nginx). */
  entryUrl: string;
  /** The entry's own address: gateways believe its X-Forwarded-For. */
  entryAddress: string;
  jwtSecret: string;
  clusterSecret: string;
}

export const APP_PORTS = { gatewayHttp: 8080, relay: 50051, node: 9101 } as const;

export function gatewayEnv(id: string, ownAddress: string, s: FleetServices): Record<string, string> {
  return {
    ...commonEnv(ownAddress, s),
    PARLEY_GATEWAY_ID: id,
    PARLEY_PORT: String(APP_PORTS.gatewayHttp),
    PARLEY_RELAY_HOST: '0.0.0.0',
    PARLEY_RELAY_PORT: String(APP_PORTS.relay),
    PARLEY_PUBLIC_ENTRY: s.entryUrl,
    // The clients' address as nginx saw it: every simulated user comes from the driver host.
    PARLEY_TRUST_PROXY: s.entryAddress,
    PARLEY_REGISTER_PER_IP: '1000000',
  };
}

export function nodeEnv(id: string, ownAddress: string, s: FleetServices): Record<string, string> {
  return {
    ...commonEnv(ownAddress, s),
    PARLEY_NODE_ID: id,
    PARLEY_PORT: String(APP_PORTS.node),
    PARLEY_HEARTBEAT_MS: '1000',
    PARLEY_PRESENCE_TTL_MS: '3000',
  };
}

/** Binds everywhere on its host, advertises its own address, finds the rest through Consul. */
function commonEnv(ownAddress: string, s: FleetServices): Record<string, string> {
  return {
    PARLEY_HOST: '0.0.0.0',
    PARLEY_ADVERTISE_HOST: ownAddress,
    PARLEY_DISCOVERY: 'consul',
    PARLEY_CONSUL_ADDR: `${s.consulAddress}:${s.consulPort}`,
    PARLEY_STORE: 'mysql',
    PARLEY_MYSQL_URL: s.mysqlUrl,
    PARLEY_REDIS_URL: s.redisUrl,
    PARLEY_JWT_SECRET: s.jwtSecret,
    PARLEY_CLUSTER_SECRET: s.clusterSecret,
    PARLEY_LOG_LEVEL: 'info',
  };
}
