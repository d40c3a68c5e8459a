/**
 * A Consul agent HTTP API simulator for tests: no Consul binary can be installed
 * on the build machines. It follows Consul's documented behaviour for the few
 * endpoints Parley uses (agent service registration and lookup, health/service with
 * blocking queries, HTTP checks run on their interval) and nothing more.
 *
 * Deliberate simplifications, each noted where it happens:
 * - one agent, one node, one datacenter; the catalog is the agent's local state;
 * - only HTTP checks (Consul also has TTL, TCP, gRPC, script… checks);
 * - X-Consul-Index is per service name (like Consul's fine-grained health index),
 *   falling back to the highest index for names never seen;
 * - ACLs (options.aclToken) know one token with every right, and the anonymous
 *   token with none, under default policy deny.
 *
 * Layout: simulator.ts (start, listener, outages) wires catalog.ts (services and
 * checks), blocking-index.ts (X-Consul-Index and blocked queries), check-runner.ts
 * with http-check.ts, and routes.ts (the HTTP endpoints) with acl.ts.
 */
export { startConsulSimulator } from './simulator';
export type {
  CheckStatus,
  ConsulSimulator,
  ConsulSimulatorOptions,
  SimulatedCheck,
  SimulatedRequest,
  SimulatedService,
} from './types';
