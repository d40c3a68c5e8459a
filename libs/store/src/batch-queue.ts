/** How one item of a batch ended. */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface BatchQueueOptions<I, R> {
  /** Most items handed to one run(). */
  maxBatchSize: number;
  /** run() calls running at once; items wait in the queue only while this many run. */
  maxConcurrentBatches: number;
  /**
   * How long an item that finds the queue idle waits for company before its
   * batch starts (a full batch starts at once). Items that arrive while
   * batches run wait for those anyway and get no extra delay. @default 0
   */
  lingerMs?: number;
  /**
   * Handles one batch and answers one outcome per item, in the items' order.
   * Throwing fails every item of the batch with that error.
   */
  run(items: readonly I[]): Promise<Outcome<R>[]>;
  /** The error for an item submitted after close(). */
  closedError(): Error;
  /** Told each batch's size as it starts (metrics). */
  onBatch?(size: number): void;
}

interface Entry<I, R> {
  item: I;
  resolve(value: R): void;
  reject(error: unknown): void;
}

/**
 * Batches work that arrives one item at a time: group commit of message
 * appends, and batched reads on the send path (one round trip per batch
 * instead of one per send).
 *
 * submit() queues an item and a batch starts as soon as fewer than
 * maxConcurrentBatches are running, taking up to maxBatchSize queued
 * items. An idle queue runs a lone item after the current event-loop turn
 * (so a burst of the same turn shares a batch) or after lingerMs; under load
 * the queue fills while earlier batches commit, and batches grow by
 * themselves.
 */
export class BatchQueue<I, R> {
  private queue: Entry<I, R>[] = [];
  private running = 0;
  private scheduled = false;
  private closed = false;
  private readonly drained: (() => void)[] = [];

  constructor(private readonly options: BatchQueueOptions<I, R>) {
    if (!(options.maxBatchSize >= 1) || !(options.maxConcurrentBatches >= 1)) {
      throw new Error('BatchQueue: maxBatchSize and maxConcurrentBatches must be at least 1');
    }
  }

  /** Items queued and not yet handed to a batch. */
  get queued(): number {
    return this.queue.length;
  }

  submit(item: I): Promise<R> {
    if (this.closed) return Promise.reject(this.options.closedError());
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.options.maxBatchSize) this.pump();
      else if (!this.scheduled) this.schedulePump();
    });
  }

  private schedulePump(): void {
    this.scheduled = true;
    const pump = (): void => {
      this.scheduled = false;
      this.pump();
    };
    const lingerMs = this.options.lingerMs ?? 0;
    if (lingerMs > 0) setTimeout(pump, lingerMs);
    else setImmediate(pump);
  }

  /** Takes no more items and resolves once every queued item is settled. */
  close(): Promise<void> {
    this.closed = true;
    return new Promise<void>((resolve) => {
      this.drained.push(resolve);
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.options.maxConcurrentBatches && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatchSize);
      this.options.onBatch?.(batch.length);
      this.running++;
      void this.run(batch);
    }
    if (this.running === 0 && this.queue.length === 0) {
      for (const resolve of this.drained.splice(0)) resolve();
    }
  }

  private async run(batch: Entry<I, R>[]): Promise<void> {
    try {
      const outcomes = await this.options.run(batch.map((entry) => entry.item));
      batch.forEach((entry, i) => {
        const outcome = outcomes[i];
        if (!outcome) entry.reject(new Error('BatchQueue: run() answered fewer outcomes than items'));
        else if (outcome.ok) entry.resolve(outcome.value);
        else entry.reject(outcome.error);
      });
    } catch (err) {
      for (const entry of batch) entry.reject(err);
    } finally {
      this.running--;
      this.pump();
    }
  }
}

/** Turns a promise into its Outcome. */
export function settle<R>(promise: Promise<R>): Promise<Outcome<R>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}
