import type { Clock } from '@parley/domain';
import { DependencyProbe, type Dependency, type DependencyFailure } from '@parley/observability';
import type { Logger } from '@parley/util';

/** A dependency the node cannot serve without, asked by a cheap round trip (named in /readyz's `failed` list and the log). */
export type DependencyCheck = Dependency;

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

/**
 * What /readyz answers: ready when the node takes sessions, a relay stream
 * is up and every dependency answered. Lifecycle and relay are read fresh;
 * dependencies are asked through a DependencyProbe (cached for `cacheMs`,
 * one check at a time, a hung one not asked again while it hangs), so
 * neither a /readyz flood nor a hung database piles up queries.
 */
export class Readiness {
  private readonly cacheMs: number;
  private readonly probe: DependencyProbe;
  private lastFailed = '';
  private last: { at: number; ready: boolean } | undefined;

  constructor(private readonly options: ReadinessOptions) {
    this.cacheMs = options.cacheMs ?? 1_000;
    this.probe = new DependencyProbe({ dependencies: options.checks, clock: options.clock, cacheMs: this.cacheMs, timeoutMs: options.timeoutMs });
  }

  async check(): Promise<ReadinessResult> {
    const state = this.options.lifecycle();
    // A node that takes no sessions is not ready whatever its dependencies say: they are not asked.
    const result = state === undefined ? this.combine(this.options.relayReady(), await this.probe.failures()) : { ready: false, failed: [state], reasons: [state] };
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

  private combine(relayReady: boolean, failures: readonly DependencyFailure[]): ReadinessResult {
    const failed = relayReady ? [] : ['relay'];
    const reasons = relayReady ? [] : ['no relay gateway stream ready'];
    for (const { name, how } of failures) {
      failed.push(name);
      reasons.push(`${name} ${how}`);
    }
    return { ready: failed.length === 0, failed, reasons };
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
