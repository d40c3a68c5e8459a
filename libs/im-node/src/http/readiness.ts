import type { Clock } from '@parley/domain';
import type { Logger } from '@parley/util';

/** A dependency the node cannot serve without, asked by a cheap round trip. */
export interface DependencyCheck {
  /** Named in /readyz's `failed` list and the log: what an operator should look at (database, redis). */
  name: string;
  check(): Promise<void>;
}

export interface ReadinessOptions {
  checks: readonly DependencyCheck[];
  /** Why the node takes no sessions now (starting, draining, stopped); undefined while it does. Read at each check. */
  lifecycle(): string | undefined;
  /** At least one relay stream to a gateway is ready. Read at each check. */
  relayReady(): boolean;
  clock: Clock;
  logger: Logger;
  /** Dependency answers are reused this long: a flood of /readyz asks each dependency once per window. @default 1_000 */
  cacheMs?: number;
  /** A dependency that has not answered after this long counts as failed. @default 1_000 */
  timeoutMs?: number;
}

export interface ReadinessResult {
  ready: boolean;
  /** What is wrong, in a fixed order: the lifecycle state, 'relay', then the failed dependencies' names. */
  failed: string[];
}

/**
 * What /readyz answers: ready when the node takes sessions, a relay stream
 * is up and every dependency answered. Lifecycle and relay are read fresh;
 * dependency answers are cached for `cacheMs` and asked by one probe at a
 * time, and a dependency whose last check still hangs is not asked again
 * (it counts as failed), so neither a /readyz flood nor a hung database
 * piles up queries.
 */
export class Readiness {
  private readonly cacheMs: number;
  private readonly timeoutMs: number;
  private probed: { at: number; failed: string[] } | undefined;
  private probing: Promise<string[]> | undefined;
  /** Checks still running (past their timeout included), by name. */
  private readonly pending = new Set<string>();
  private lastFailed = '';
  private last: { at: number; ready: boolean } | undefined;

  constructor(private readonly options: ReadinessOptions) {
    this.cacheMs = options.cacheMs ?? 1_000;
    this.timeoutMs = options.timeoutMs ?? 1_000;
  }

  async check(): Promise<ReadinessResult> {
    const state = this.options.lifecycle();
    // A node that takes no sessions is not ready whatever its dependencies say: they are not asked.
    const failed = state === undefined ? (this.options.relayReady() ? [] : ['relay']).concat(await this.dependencies()) : [state];
    const ready = failed.length === 0;
    // Starting and draining are the node's own doing: logged where they happen.
    if (state === undefined) this.report(failed);
    this.last = { at: this.options.clock.now(), ready };
    return { ready, failed };
  }

  /**
   * The last answer without waiting (parley_ready at scrape time): false
   * while the node takes no sessions or before any check; a stale answer
   * starts a fresh check for the next scrape.
   */
  readyNow(): boolean {
    if (this.options.lifecycle() !== undefined) return false;
    if (!this.last || this.options.clock.now() - this.last.at >= this.cacheMs) void this.check();
    return this.last?.ready ?? false;
  }

  private dependencies(): Promise<string[]> {
    if (this.probed && this.options.clock.now() - this.probed.at < this.cacheMs) return Promise.resolve(this.probed.failed);
    this.probing ??= this.probe().then((failed) => {
      this.probed = { at: this.options.clock.now(), failed };
      this.probing = undefined;
      return failed;
    });
    return this.probing;
  }

  private async probe(): Promise<string[]> {
    const answers = await Promise.all(this.options.checks.map((dependency) => this.ask(dependency)));
    return this.options.checks.filter((_, i) => !answers[i]).map((dependency) => dependency.name);
  }

  /** True when the dependency answered within the timeout. */
  private ask(dependency: DependencyCheck): Promise<boolean> {
    if (this.pending.has(dependency.name)) return Promise.resolve(false);
    this.pending.add(dependency.name);
    const answered = Promise.resolve()
      .then(() => dependency.check())
      .then(
        () => true,
        () => false,
      )
      .finally(() => this.pending.delete(dependency.name));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.timeoutMs);
      timer.unref();
    });
    return Promise.race([answered, timedOut]).finally(() => clearTimeout(timer));
  }

  /** Logs when what fails changes (names only: no error text, which may carry addresses). */
  private report(failed: readonly string[]): void {
    const key = failed.join(',');
    if (key === this.lastFailed) return;
    const before = this.lastFailed;
    this.lastFailed = key;
    if (key === '') this.options.logger.info({ recovered: before.split(',') }, 'ready again');
    else this.options.logger.warn({ failed }, 'not ready');
  }
}
