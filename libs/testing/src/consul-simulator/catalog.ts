import { requireServiceWrite, type Caller } from './acl';
import type { BlockingIndex } from './blocking-index';
import { CheckRunner } from './check-runner';
import { HttpError } from './http-io';
import type { CheckState, ServiceState } from './records';
import { decodeRegistration } from './registration';
import type { CheckStatus, SimulatedService } from './types';

export interface CatalogOptions {
  minCheckIntervalMs: number;
  staggerChecks: boolean;
  reapIntervalMs: number;
  minDeregisterCriticalMs: number;
}

/**
 * The agent's services and their checks (one agent, one node: the catalog is
 * the agent's local state). Every change moves the index and wakes blocked
 * queries; the checks run on their interval and the reaper removes services
 * left critical too long.
 */
export class Catalog {
  private readonly servicesById = new Map<string, ServiceState>();
  private readonly checks: CheckRunner;
  private readonly reaper: NodeJS.Timeout;

  constructor(
    private readonly index: BlockingIndex,
    private readonly options: CatalogOptions,
  ) {
    this.checks = new CheckRunner(options.staggerChecks, (check, status, output) =>
      this.recordResult(check, status, output),
    );
    this.reaper = setInterval(() => this.reap(), options.reapIntervalMs);
  }

  all(): Iterable<ServiceState> {
    return this.servicesById.values();
  }

  /** Snapshot of the registered services and their checks. */
  snapshot(): SimulatedService[] {
    return [...this.servicesById.values()].map((s) => ({
      id: s.id,
      name: s.name,
      address: s.address,
      port: s.port,
      tags: [...s.tags],
      meta: { ...s.meta },
      checks: [...s.checks.values()].map((c) => ({ ...c.def })),
    }));
  }

  get(id: string): ServiceState | undefined {
    return this.servicesById.get(id);
  }

  /**
   * An agent restarted without its data directory: every registration is
   * gone, and the watchers of each name see the change.
   */
  forgetAll(): void {
    const services = [...this.servicesById.values()];
    this.servicesById.clear();
    for (const service of services) {
      this.checks.stop(service);
      this.index.bump(service.name);
    }
    this.index.notify();
  }

  /** Stops the reaper and every check for good. */
  stop(): void {
    clearInterval(this.reaper);
    this.checks.stopAll(this.servicesById.values());
  }

  register(body: unknown, caller: Caller): void {
    const reg = decodeRegistration(body, this.options.minCheckIntervalMs, (name) => requireServiceWrite(caller, name));
    const previous = this.servicesById.get(reg.id);
    const index = this.index.bump(reg.name);
    if (previous) {
      this.checks.stop(previous);
      if (previous.name !== reg.name) this.index.mark(previous.name, index);
    }
    const service: ServiceState = {
      id: reg.id,
      name: reg.name,
      address: reg.address,
      port: reg.port,
      tags: reg.tags,
      meta: reg.meta,
      createIndex: previous?.createIndex ?? index,
      modifyIndex: index,
      checks: new Map(),
    };
    for (const checkDef of reg.checks) {
      // Re-registering keeps a check's current status unless one is given.
      const old = previous?.checks.get(checkDef.def.checkId);
      if (old && !checkDef.explicitStatus) checkDef.def.status = old.def.status;
      const state: CheckState = {
        def: checkDef.def,
        serviceId: reg.id,
        createIndex: old?.createIndex ?? index,
        modifyIndex: index,
        criticalSince: checkDef.def.status === 'critical' ? (old?.criticalSince ?? Date.now()) : undefined,
      };
      service.checks.set(state.def.checkId, state);
    }
    this.servicesById.set(reg.id, service);
    for (const check of service.checks.values()) this.checks.start(check);
    this.index.notify();
  }

  deregister(id: string, caller: Caller): void {
    const service = this.servicesById.get(id);
    if (!service) {
      throw new HttpError(404, `Unknown service ID "${id}". Ensure that the service ID is passed, not the service name.`);
    }
    requireServiceWrite(caller, service.name);
    this.checks.stop(service);
    this.servicesById.delete(id);
    this.index.bump(service.name);
    this.index.notify();
  }

  /** A check result; false when the check is no longer registered (its runs end). */
  private recordResult(check: CheckState, status: CheckStatus, output: string): boolean {
    const service = this.servicesById.get(check.serviceId);
    if (!service || service.checks.get(check.def.checkId) !== check) return false;
    // Output-only changes reach the catalog lazily in Consul (check_update_interval),
    // so only a status change moves the index and wakes blocking queries.
    check.def.output = output;
    if (check.def.status === status) return true;
    check.def.status = status;
    check.criticalSince = status === 'critical' ? Date.now() : undefined;
    check.modifyIndex = this.index.bump(service.name);
    this.index.notify();
    return true;
  }

  /** Consul's reaper: deregisters services whose check stayed critical too long. */
  private reap(): void {
    const now = Date.now();
    for (const service of [...this.servicesById.values()]) {
      for (const check of service.checks.values()) {
        const after = check.def.deregisterCriticalServiceAfterMs;
        if (after === undefined || check.criticalSince === undefined) continue;
        if (now - check.criticalSince >= Math.max(after, this.options.minDeregisterCriticalMs)) {
          this.deregister(service.id, 'privileged');
          break;
        }
      }
    }
  }
}
