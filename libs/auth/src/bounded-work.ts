import pLimit from 'p-limit';
import { ParleyError } from '@parley/protocol';

export interface BoundedWorkOptions {
  /** Tasks running at once. */
  concurrency: number;
  /** Tasks waiting for a turn; one more is refused. */
  maxQueue: number;
  /** The wait suggested to a refused caller. */
  retryAfterMs: number;
}

/**
 * Runs at most `concurrency` tasks at once with a bounded waiting line: a
 * task beyond it is refused at once with ParleyError `RATE_LIMITED` (a 429
 * the client can retry), so a burst queues briefly instead of piling up
 * memory and latency without end.
 */
export class BoundedWork {
  private readonly limit: pLimit.Limit;

  constructor(private readonly options: BoundedWorkOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new Error('concurrency must be a whole number >= 1');
    if (!Number.isInteger(options.maxQueue) || options.maxQueue < 0) throw new Error('maxQueue must be a whole number >= 0');
    this.limit = pLimit(options.concurrency);
  }

  /** Tasks running or waiting. */
  get size(): number {
    // p-limit starts a queued task a microtask later, so a burst shows up as pending first: count both.
    return this.limit.activeCount + this.limit.pendingCount;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.size >= this.options.concurrency + this.options.maxQueue) {
      return Promise.reject(new ParleyError('RATE_LIMITED', 'server busy; try again shortly', { retryAfterMs: this.options.retryAfterMs }));
    }
    return this.limit(task);
  }
}
