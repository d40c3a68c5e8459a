import type { TestService } from '../service';

/** The simulator's public surface: its options and what tests can inspect. */

export interface ConsulSimulatorOptions {
  /** Address the agent API listens on (a test network host's own address, for one). @default '127.0.0.1' */
  host?: string;
  /** @default 0 (any free port) */
  port?: number;
  /** Node name reported in health entries. @default 'parley-consul-sim' */
  nodeName?: string;
  /** @default 'dc1' */
  datacenter?: string;
  /** Consul raises check intervals below 1s to 1s. @default 1_000 */
  minCheckIntervalMs?: number;
  /** Consul staggers a check's first run randomly within its interval. @default true */
  staggerChecks?: boolean;
  /** Period of the critical-service reaper (Consul: 30s). @default 30_000 */
  reapIntervalMs?: number;
  /** Floor Consul applies to DeregisterCriticalServiceAfter (Consul: 1m). @default 60_000 */
  minDeregisterCriticalMs?: number;
  /**
   * How setUnavailable(true) fails clients: 'refuse' closes the listener and
   * destroys open sockets (connection refused / reset); 'no-leader' keeps
   * listening but answers every request 500 "No cluster leader", as a Consul
   * agent does while its servers have lost quorum.
   * @default 'refuse'
   */
  outage?: 'refuse' | 'no-leader';
  /** First X-Consul-Index value; Consul's index is never 0. @default 10 */
  initialIndex?: number;
  /**
   * Enables ACLs with default policy deny; this is the only token, with every
   * right. Requests carry it as Consul reads it: `X-Consul-Token`,
   * `Authorization: Bearer`, or `?token=`. An unknown token gets 403 "ACL not
   * found"; no token is the anonymous token, which may not write (403
   * "Permission denied: … lacks permission 'service:write' …") and reads
   * lists filtered empty (with X-Consul-Results-Filtered-By-ACLs: true).
   * @default undefined (ACLs disabled)
   */
  aclToken?: string;
}

export type CheckStatus = 'passing' | 'warning' | 'critical';

export interface SimulatedCheck {
  checkId: string;
  name: string;
  status: CheckStatus;
  output: string;
  http: string;
  intervalMs: number;
  timeoutMs: number;
  deregisterCriticalServiceAfterMs?: number;
}

export interface SimulatedService {
  id: string;
  name: string;
  address: string;
  port: number;
  tags: string[];
  meta: Record<string, string>;
  checks: SimulatedCheck[];
}

export interface SimulatedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  at: number;
}

export interface ConsulSimulator extends TestService {
  /** http://127.0.0.1:<port> (no /v1). */
  url: string;
  host: string;
  port: number;
  /**
   * Takes the HTTP API down (see options.outage) or brings it back on the same
   * port. The catalog and the check runner live on, like Consul servers behind
   * an unreachable agent.
   */
  setUnavailable(on: boolean): Promise<void>;
  /** Snapshot of the registered services and their checks. */
  services(): SimulatedService[];
  /** Every request received since start (capped at the last 10 000). */
  requests(): readonly SimulatedRequest[];
  /** Highest index handed out so far. */
  currentIndex(): number;
  /**
   * Simulates a snapshot restore: the index goes backwards while the state is
   * kept. Blocking clients holding a higher index wait until `wait` elapses,
   * then see a lower X-Consul-Index and must reset theirs.
   */
  resetIndex(value?: number): void;
  /**
   * Simulates an agent restarted without its data directory (or a dev-mode
   * agent): every registration and its checks are gone; watchers see each
   * service name change. The index goes on.
   */
  forgetAll(): void;
}
