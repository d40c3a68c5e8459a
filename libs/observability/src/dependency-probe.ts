/** A dependency /readyz asks whether it answers, by a cheap round trip (a store or Redis ping). */
export interface Dependency {
  /** Named in /readyz's `failed` list and the logs: what an operator should look at (database, redis). */
  name: string;
  check(): Promise<unknown>;
}

/** A dependency that did not answer: it failed, or gave no answer within the timeout. */
export interface DependencyFailure {
  name: string;
  how: 'unreachable' | 'not answering';
}

export interface DependencyProbeOptions {
  dependencies: readonly Dependency[];
  /** Milliseconds (Date.now() or an injected test clock). */
  clock: { now(): number };
  /** One probe's answer serves every caller this long. @default 1000 */
  cacheMs?: number;
  /** A dependency that has not answered after this long counts as not answering. @default 1000 */
  timeoutMs?: number;
}

/**
 * Whether the shared dependencies answer, as the gateway's and the IM node's
 * /readyz need it: one probe at a time, its answer cached for `cacheMs`, and
 * each dependency asked by one check at a time; a caller that finds a check
 * still running (a hung database) waits for it at most `timeoutMs` and never
 * starts another. A flood of /readyz, or a database that hangs, piles up no
 * queries. Failures say how, never the error's text (it may carry addresses).
 */
export class DependencyProbe {
  private readonly cacheMs: number;
  private readonly timeoutMs: number;
  private readonly inFlight = new Map<Dependency, Promise<'ok' | 'unreachable'>>();
  private probed: { at: number; failures: readonly DependencyFailure[] } | undefined;
  private probing: Promise<readonly DependencyFailure[]> | undefined;

  constructor(private readonly options: DependencyProbeOptions) {
    this.cacheMs = options.cacheMs ?? 1_000;
    this.timeoutMs = options.timeoutMs ?? 1_000;
  }

  /** The dependencies that do not answer now, in the order given (the cached answer while it is fresh). */
  failures(): Promise<readonly DependencyFailure[]> {
    if (this.probed && this.options.clock.now() - this.probed.at < this.cacheMs) return Promise.resolve(this.probed.failures);
    this.probing ??= this.probe().then((failures) => {
      this.probed = { at: this.options.clock.now(), failures };
      this.probing = undefined;
      return failures;
    });
    return this.probing;
  }

  private async probe(): Promise<readonly DependencyFailure[]> {
    const { dependencies } = this.options;
    const answers = await Promise.all(dependencies.map((dependency) => this.ask(dependency)));
    const failures: DependencyFailure[] = [];
    dependencies.forEach(({ name }, i) => {
      const answer = answers[i];
      if (answer !== undefined && answer !== 'ok') failures.push({ name, how: answer });
    });
    return failures;
  }

  /** How the dependency answered within the timeout, joining its check if one still runs. */
  private ask(dependency: Dependency): Promise<'ok' | DependencyFailure['how']> {
    let answered = this.inFlight.get(dependency);
    if (!answered) {
      answered = Promise.resolve()
        .then(() => dependency.check())
        .then(
          () => 'ok' as const,
          () => 'unreachable' as const,
        )
        .finally(() => this.inFlight.delete(dependency));
      this.inFlight.set(dependency, answered);
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'not answering'>((resolve) => {
      timer = setTimeout(() => resolve('not answering'), this.timeoutMs);
      timer.unref();
    });
    return Promise.race([answered, timedOut]).finally(() => clearTimeout(timer));
  }
}
