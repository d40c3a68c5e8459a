export type { SpawnProcess, TestService } from './service';
export { at } from './at';
export { waitFor, type WaitOptions } from './wait-for';
export { TEST_PASSWORD } from './test-password';
export { findFreePort } from './free-port';
export { startMariadb, createTestDatabase, type MariadbOptions, type MariadbService } from './mariadb';
export { startRedis, startRedisOnPort, type RedisService, type RedisServerOptions } from './redis';
export {
  startConsulSimulator,
  type ConsulSimulator,
  type ConsulSimulatorOptions,
  type CheckStatus,
  type SimulatedCheck,
  type SimulatedService,
} from './consul-simulator';
export {
  serviceToken,
  startCluster,
  terminate,
  type Cluster,
  type ClusterGateway,
  type ClusterNode,
  type ClusterOptions,
  type ClusterProcess,
} from './cluster';
export { createTestPki, type TestPki, type TestPkiOptions, type CertFiles } from './pki';
export { spawnApp, type SpawnAppOptions } from './cluster-process';
export { createNetnsNetwork, netnsUnavailableReason, type NetnsHost, type NetnsNetwork } from './netns';
export { deleteRedisPrefix, testRedisUrl, uniqueRedisPrefix } from './redis-keys';
export { startDnsServer, type DnsServer, type DnsServerOptions } from './dns-server';
export { PushServiceSimulator, type ReceivedPush, type RejectedPush, type SimulatedSubscription } from './push-service-simulator';
export { pushTestEnv } from './push-test-env';
