import type { PushEngine, PushOutcome, PushRequest, Pusher } from '@parley/domain';
import { silentLogger, type Logger } from '@parley/util';

/** What happened to one attempt, for metrics (parley_push_total{outcome}). */
export type PushOutcomeLabel = 'sent' | 'gone' | 'retry' | 'failed' | 'dropped';

/** The timers retries wait on: injected so tests do not wait for real backoff. */
export interface PushTimers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Real timers, unref'd: a pending retry never keeps the process alive. */
export const systemPushTimers: PushTimers = {
  setTimeout: (run, ms) => setTimeout(run, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface PushDispatcherOptions {
  /** Closed by close() when it has a close() (WebPushEngine's keep-alive connections). */
  engine: PushEngine & { close?(): void };
  /** A destination that no longer exists (404/410): remove its subscription. Awaited; a throw is logged. */
  onGone?: (endpoint: string) => Promise<void> | void;
  /** Called once per attempt's outcome and per push dropped. */
  onOutcome?: (outcome: PushOutcomeLabel) => void;
  logger?: Logger;
  /** Pushes in flight at once. @default 16 */
  concurrency?: number;
  /** Attempts per push, the first included. @default 5 */
  maxAttempts?: number;
  /** Wait before the first retry; doubles per retry. @default 1_000 */
  initialBackoffMs?: number;
  /** Longest wait before a retry, Retry-After included. @default 60_000 */
  maxBackoffMs?: number;
  /** Pushes waiting to be sent; beyond, the oldest is dropped. @default 10_000 */
  maxQueued?: number;
  timers?: PushTimers;
}

interface Job {
  request: PushRequest;
  /** Attempts made so far. */
  attempts: number;
}

/** A flush() waiting for the jobs outstanding when it was called. */
interface FlushWaiter {
  jobs: Set<Job>;
  resolve: () => void;
}

/**
 * The Pusher: push() queues and returns at once; at most `concurrency` pushes
 * are in flight; `retry` outcomes come back after a backoff (1 s, 2 s, 4 s ...;
 * Retry-After wins; capped) up to `maxAttempts`; `gone` destinations are
 * reported to onGone; `failed` ones are dropped. Its own small queue rather
 * than p-limit's: the bound must drop the oldest waiting push, which p-limit's
 * queue cannot.
 */
export class PushDispatcher implements Pusher {
  private readonly engine: PushEngine & { close?(): void };
  private readonly logger: Logger;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxQueued: number;
  private readonly timers: PushTimers;
  /** Waiting to be sent, oldest first. */
  private queue: Job[] = [];
  private queueHead = 0;
  private readonly inFlight = new Set<Promise<void>>();
  /** Waiting for their backoff, with their timer. */
  private readonly retrying = new Map<Job, unknown>();
  /** Every job not yet finished (queued, in flight or retrying). */
  private readonly outstanding = new Set<Job>();
  private flushWaiters: FlushWaiter[] = [];
  private closed = false;

  constructor(private readonly options: PushDispatcherOptions) {
    this.engine = options.engine;
    this.logger = options.logger ?? silentLogger;
    this.concurrency = options.concurrency ?? 16;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.initialBackoffMs = options.initialBackoffMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
    this.maxQueued = options.maxQueued ?? 10_000;
    this.timers = options.timers ?? systemPushTimers;
  }

  push(requests: readonly PushRequest[]): void {
    for (const request of requests) {
      if (this.closed) {
        this.report('dropped');
        continue;
      }
      const job: Job = { request, attempts: 0 };
      this.outstanding.add(job);
      this.enqueue(job);
    }
    this.pump();
  }

  flush(): Promise<void> {
    if (this.outstanding.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.flushWaiters.push({ jobs: new Set(this.outstanding), resolve }));
  }

  /** Drops what waits (queued pushes, pending retries), waits for the pushes in flight, closes the engine. flush() first to send everything. */
  async close(): Promise<void> {
    this.closed = true;
    for (const [job, timer] of this.retrying) {
      this.timers.clearTimeout(timer);
      this.drop(job, 'closed');
    }
    this.retrying.clear();
    for (let job = this.dequeue(); job !== undefined; job = this.dequeue()) this.drop(job, 'closed');
    await Promise.all([...this.inFlight]);
    this.engine.close?.();
  }

  /** Pushes waiting to be sent (not in flight, not waiting for a retry). */
  get queued(): number {
    return this.queue.length - this.queueHead;
  }

  private enqueue(job: Job): void {
    if (this.queued >= this.maxQueued) {
      const oldest = this.dequeue();
      if (oldest !== undefined) this.drop(oldest, 'queue full');
    }
    this.queue.push(job);
  }

  private dequeue(): Job | undefined {
    const job = this.queue[this.queueHead];
    if (job === undefined) return undefined;
    this.queueHead++;
    // Compact now and then rather than shift() per job (O(n) each on a long queue).
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    return job;
  }

  private pump(): void {
    while (this.inFlight.size < this.concurrency) {
      const job = this.dequeue();
      if (job === undefined) return;
      const run = this.attempt(job).finally(() => {
        this.inFlight.delete(run);
        this.pump();
      });
      this.inFlight.add(run);
    }
  }

  private async attempt(job: Job): Promise<void> {
    job.attempts++;
    let outcome: PushOutcome;
    try {
      outcome = await this.engine.send(job.request);
    } catch (err) {
      // Engines never throw; one that does is treated as a network failure.
      outcome = { kind: 'retry', reason: (err as Error).message };
    }
    switch (outcome.kind) {
      case 'sent':
        this.report('sent');
        this.finish(job);
        return;
      case 'gone':
        this.report('gone');
        await this.gone(job);
        this.finish(job);
        return;
      case 'failed':
        this.report('failed');
        this.logger.warn({ origin: originOf(job.request.destination.endpoint), reason: outcome.reason }, 'push refused');
        this.finish(job);
        return;
      case 'retry':
        this.retryLater(job, outcome.reason, outcome.retryAfterMs);
        return;
    }
  }

  private retryLater(job: Job, reason: string, retryAfterMs: number | undefined): void {
    if (this.closed || job.attempts >= this.maxAttempts) {
      this.drop(job, `gave up after ${job.attempts} attempts: ${reason}`, 'warn');
      return;
    }
    this.report('retry');
    this.logger.debug({ origin: originOf(job.request.destination.endpoint), reason, attempts: job.attempts }, 'push will be retried');
    const backoff = this.initialBackoffMs * 2 ** (job.attempts - 1);
    const delay = Math.min(this.maxBackoffMs, retryAfterMs ?? backoff);
    const timer = this.timers.setTimeout(() => {
      if (!this.retrying.delete(job)) return;
      this.enqueue(job);
      this.pump();
    }, delay);
    this.retrying.set(job, timer);
  }

  private async gone(job: Job): Promise<void> {
    try {
      await this.options.onGone?.(job.request.destination.endpoint);
    } catch (err) {
      this.logger.error({ origin: originOf(job.request.destination.endpoint), err }, 'removing a gone push subscription failed');
    }
  }

  /** Drops a push; logged at warn only when it gave up (a full queue or a close can drop thousands: debug). */
  private drop(job: Job, reason: string, level: 'warn' | 'debug' = 'debug'): void {
    this.report('dropped');
    this.logger[level]({ origin: originOf(job.request.destination.endpoint), reason }, 'push dropped');
    this.finish(job);
  }

  private finish(job: Job): void {
    this.outstanding.delete(job);
    if (this.flushWaiters.length === 0) return;
    this.flushWaiters = this.flushWaiters.filter((waiter) => {
      waiter.jobs.delete(job);
      if (waiter.jobs.size > 0) return true;
      waiter.resolve();
      return false;
    });
  }

  private report(outcome: PushOutcomeLabel): void {
    try {
      this.options.onOutcome?.(outcome);
    } catch (err) {
      this.logger.error({ err }, 'push outcome callback failed');
    }
  }
}

/** The endpoint's origin only: its path is the subscription's capability token and never goes to logs. */
function originOf(endpoint: string): string {
  try {
    return new URL(endpoint).origin;
  } catch {
    return 'invalid-url';
  }
}
