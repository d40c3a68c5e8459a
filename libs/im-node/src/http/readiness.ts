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
  /** The same in words, for the 503's `detail`: `draining`, `no relay gateway stream ready`, `redis unreachable`, `database not answering`. */
  reasons: string[];
}

/** A dependency's failure: it answered with an error, or not within the timeout (or its last check still hangs). */
type Failure = { name: string; how: 'unreachable' | 'not answering' };

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
  private probed: { at: number; failed: Failure[] } | undefined;
  private probing: Promise<Failure[]> | undefined;
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
    const result = state === undefined ? this.combine(this.options.relayReady(), await this.dependencies()) : { ready: false, failed: [state], reasons: [state] };
    // Starting and draining are the node's own doing: logged where they happen.
    if (state === undefined) this.report(result.failed);
    this.last = { at: this.options.clock.now(), ready: result.ready };
    return result;
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

  private combine(relayReady: boolean, failures: readonly Failure[]): ReadinessResult {
    const failed = relayReady ? [] : ['relay'];
    const reasons = relayReady ? [] : ['no relay gateway stream ready'];
    for (const { name, how } of failures) {
      failed.push(name);
      reasons.push(`${name} ${how}`);
    }
    return { ready: failed.length === 0, failed, reasons };
  }

  private dependencies(): Promise<Failure[]> {
    if (this.probed && this.options.clock.now() - this.probed.at < this.cacheMs) return Promise.resolve(this.probed.failed);
    this.probing ??= this.probe().then((failed) => {
      this.probed = { at: this.options.clock.now(), failed };
      this.probing = undefined;
      return failed;
    });
    return this.probing;
  }

  private async probe(): Promise<Failure[]> {
    const answers = await Promise.all(this.options.checks.map((dependency) => this.ask(dependency)));
    const failures: Failure[] = [];
    this.options.checks.forEach(({ name }, i) => {
      const answer = answers[i];
      if (answer !== 'ok' && answer !== undefined) failures.push({ name, how: answer });
    });
    return failures;
  }

  /** How the dependency answered within the timeout. */
  private ask(dependency: DependencyCheck): Promise<'ok' | Failure['how']> {
    if (this.pending.has(dependency.name)) return Promise.resolve('not answering');
    this.pending.add(dependency.name);
    const answered = Promise.resolve()
      .then(() => dependency.check())
      .then(
        () => 'ok' as const,
        () => 'unreachable' as const,
      )
      .finally(() => this.pending.delete(dependency.name));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'not answering'>((resolve) => {
      timer = setTimeout(() => resolve('not answering'), this.timeoutMs);
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
