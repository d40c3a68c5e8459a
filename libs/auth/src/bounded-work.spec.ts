import { BoundedWork } from './bounded-work';

/** A task that runs until released, recording how many run together. */
function gatedTasks() {
  let running = 0;
  let peak = 0;
  const releases: (() => void)[] = [];
  const task = () =>
    new Promise<string>((resolve) => {
      running++;
      peak = Math.max(peak, running);
      releases.push(() => {
        running--;
        resolve('done');
      });
    });
  return { task, releases, peak: () => peak, running: () => running };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('BoundedWork', () => {
  it('runs at most `concurrency` tasks at once, queues `maxQueue` more and refuses the rest with RATE_LIMITED', async () => {
    const work = new BoundedWork({ concurrency: 2, maxQueue: 3, retryAfterMs: 250 });
    const gated = gatedTasks();
    const results = Array.from({ length: 10 }, () => work.run(gated.task).then(
      (v) => ({ ok: true as const, v }),
      (err: unknown) => ({ ok: false as const, err }),
    ));
    await flush();
    expect(gated.running()).toBe(2);
    // Release in turn until everything admitted has finished.
    while (gated.releases.length > 0) {
      gated.releases.shift()?.();
      await flush();
    }
    const settled = await Promise.all(results);
    expect(settled.filter((r) => r.ok)).toHaveLength(5);
    for (const r of settled.filter((r) => !r.ok)) expect(r.err).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 250 });
    expect(gated.peak()).toBe(2);
    // Once the line is empty, new work is admitted again.
    const later = work.run(() => Promise.resolve('again'));
    await expect(later).resolves.toBe('again');
  });

  it('frees a turn when a task fails', async () => {
    const work = new BoundedWork({ concurrency: 1, maxQueue: 0, retryAfterMs: 100 });
    await expect(work.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(work.run(() => Promise.resolve(1))).resolves.toBe(1);
  });
});
