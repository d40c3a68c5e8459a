export type { TestService } from './service';
export { findFreePort } from './free-port';
export { startMariadb, createTestDatabase, type MariadbOptions } from './mariadb';
export { startRedis, startRedisOnPort, type RedisService, type RedisServerOptions } from './redis';
export {
  startConsulSimulator,
  type ConsulSimulator,
  type ConsulSimulatorOptions,
  type CheckStatus,
  type SimulatedCheck,
  type SimulatedService,
} from './consul-simulator';
export { startCluster, type Cluster, type ClusterOptions, type ClusterProcess } from './cluster';
