import { performHttpCheck } from './http-check';
import type { CheckState, ServiceState } from './records';
import type { CheckStatus } from './types';

/**
 * Runs each check on its interval. `record` applies a result to the catalog and
 * answers false when the check is no longer registered, which ends its schedule.
 */
export class CheckRunner {
  private stopped = false;

  constructor(
    private readonly staggerChecks: boolean,
    private readonly record: (check: CheckState, status: CheckStatus, output: string) => boolean,
  ) {}

  start(check: CheckState): void {
    this.schedule(check, true);
  }

  stop(service: ServiceState): void {
    for (const check of service.checks.values()) {
      if (check.timer) clearTimeout(check.timer);
      check.timer = undefined;
      check.inFlight?.destroy();
      check.inFlight = undefined;
    }
  }

  /** Stops every check for good: nothing is scheduled afterwards. */
  stopAll(services: Iterable<ServiceState>): void {
    this.stopped = true;
    for (const service of services) this.stop(service);
  }

  private schedule(check: CheckState, first: boolean): void {
    if (this.stopped) return;
    const interval = check.def.intervalMs;
    const delay = first && this.staggerChecks ? Math.floor(Math.random() * interval) : first ? 0 : interval;
    check.timer = setTimeout(() => this.run(check), delay);
  }

  private run(check: CheckState): void {
    check.timer = undefined;
    const started = performHttpCheck(check.def.http, check.def.timeoutMs, (status, output) => {
      check.inFlight = undefined;
      if (this.stopped || !this.record(check, status, output)) return;
      this.schedule(check, false);
    });
    check.inFlight = started;
  }
}
