import { at } from '@parley/testing';
import { BatchQueue, settle, type Outcome } from './batch-queue';

/** A commit() whose batches the test finishes by hand. */
function manualCommit() {
  const batches: { items: number[]; finish(outcomes?: Outcome<string>[]): void; fail(error: unknown): void }[] = [];
  const commit = (items: readonly number[]): Promise<Outcome<string>[]> =>
    new Promise((resolve, reject) => {
      batches.push({
        items: [...items],
        finish: (outcomes) => resolve(outcomes ?? items.map((i) => ({ ok: true, value: `v${i}` }))),
        fail: reject,
      });
    });
  return { batches, batch: (index: number) => at(batches, index, 'batch'), commit };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const make = (commit: (items: readonly number[]) => Promise<Outcome<string>[]>, maxBatchSize = 3, maxConcurrentBatches = 2) =>
  new BatchQueue<number, string>({ maxBatchSize, maxConcurrentBatches, run: commit, closedError: () => new Error('closed') });

describe('BatchQueue', () => {
  it('commits a lone item at once and answers its caller', async () => {
    const { batches, batch, commit } = manualCommit();
    const queue = make(commit);
    const result = queue.submit(7);
    await turn();
    expect(batches.map((b) => b.items)).toEqual([[7]]);
    batch(0).finish();
    await expect(result).resolves.toBe('v7');
  });

  it('puts a burst of one turn in batches of at most maxBatchSize, running at most maxConcurrentBatches', async () => {
    const { batches, batch, commit } = manualCommit();
    const queue = make(commit, 3, 2);
    const results = Array.from({ length: 8 }, (_, i) => queue.submit(i));
    await turn();
    expect(batches.map((b) => b.items)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(queue.queued).toBe(2);
    // Items arriving while both run wait, and join the next batch.
    results.push(queue.submit(8), queue.submit(9));
    await turn();
    expect(batches).toHaveLength(2);
    batch(1).finish();
    await turn();
    expect(batches.map((b) => b.items)[2]).toEqual([6, 7, 8]);
    batch(0).finish();
    await turn();
    expect(batches.map((b) => b.items)[3]).toEqual([9]);
    batch(2).finish();
    batch(3).finish();
    await expect(Promise.all(results)).resolves.toEqual(Array.from({ length: 10 }, (_, i) => `v${i}`));
  });

  it('tells onBatch the size of each batch as it starts', async () => {
    const { batch, commit } = manualCommit();
    const sizes: number[] = [];
    const queue = new BatchQueue<number, string>({ maxBatchSize: 3, maxConcurrentBatches: 1, run: commit, closedError: () => new Error('closed'), onBatch: (n) => sizes.push(n) });
    const results = Array.from({ length: 5 }, (_, i) => queue.submit(i));
    await turn();
    expect(sizes).toEqual([3]);
    batch(0).finish();
    await turn();
    expect(sizes).toEqual([3, 2]);
    batch(1).finish();
    await Promise.all(results);
  });

  it('settles each item with its own outcome, and fails the whole batch when commit() throws', async () => {
    const { batch, commit } = manualCommit();
    const queue = make(commit, 3, 1);
    const first = [queue.submit(1), queue.submit(2), queue.submit(3)].map(settle);
    const second = [queue.submit(4), queue.submit(5)].map(settle);
    await turn();
    batch(0).finish([{ ok: true, value: 'a' }, { ok: false, error: new Error('bad 2') }, { ok: true, value: 'c' }]);
    expect(await Promise.all(first)).toEqual([
      { ok: true, value: 'a' },
      { ok: false, error: new Error('bad 2') },
      { ok: true, value: 'c' },
    ]);
    await turn();
    batch(1).fail(new Error('down'));
    expect(await Promise.all(second)).toEqual([
      { ok: false, error: new Error('down') },
      { ok: false, error: new Error('down') },
    ]);
  });

  it('rejects items that commit() answered no outcome for instead of leaving them hanging', async () => {
    const queue = make(async () => [{ ok: true, value: 'only one' }]);
    const results = [queue.submit(1), queue.submit(2)].map(settle);
    expect(await Promise.all(results)).toEqual([
      { ok: true, value: 'only one' },
      { ok: false, error: expect.any(Error) },
    ]);
  });

  it('on close() commits everything queued, then resolves; later items are refused', async () => {
    const { batches, batch, commit } = manualCommit();
    const queue = make(commit, 2, 1);
    const results = [1, 2, 3, 4, 5].map((i) => queue.submit(i));
    let closed = false;
    const closing = queue.close().then(() => (closed = true));
    await expect(queue.submit(6)).rejects.toThrow('closed');
    for (let b = 0; b < 3; b++) {
      await turn();
      expect(closed).toBe(false);
      batch(b).finish();
    }
    await closing;
    expect(batches.map((b) => b.items)).toEqual([[1, 2], [3, 4], [5]]);
    await expect(Promise.all(results)).resolves.toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
  });

  it('closes at once when nothing is queued', async () => {
    const queue = make(manualCommit().commit);
    await expect(queue.close()).resolves.toBeUndefined();
  });

  it('with lingerMs, lets a lone item wait for company, but starts a full batch at once', async () => {
    jest.useFakeTimers();
    try {
      const { batches, batch, commit } = manualCommit();
      const queue = new BatchQueue<number, string>({ maxBatchSize: 3, maxConcurrentBatches: 1, lingerMs: 5, run: commit, closedError: () => new Error('closed') });
      const lone = queue.submit(1);
      jest.advanceTimersByTime(4);
      expect(batches).toHaveLength(0);
      const company = queue.submit(2);
      jest.advanceTimersByTime(1);
      expect(batches.map((b) => b.items)).toEqual([[1, 2]]);
      batch(0).finish();
      await expect(Promise.all([lone, company])).resolves.toEqual(['v1', 'v2']);

      const full = [3, 4, 5].map((i) => queue.submit(i));
      expect(batches.map((b) => b.items)).toEqual([[1, 2], [3, 4, 5]]);
      batch(1).finish();
      await expect(Promise.all(full)).resolves.toEqual(['v3', 'v4', 'v5']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses limits below one', () => {
    expect(() => make(manualCommit().commit, 0, 1)).toThrow(/at least 1/);
    expect(() => make(manualCommit().commit, 1, 0)).toThrow(/at least 1/);
  });
});
