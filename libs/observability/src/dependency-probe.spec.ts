import { DependencyProbe, type Dependency } from './dependency-probe';

/** A dependency whose answer the test sets (ok, fail, hang until released), counting how often it is asked. */
class FakeDependency implements Dependency {
  calls = 0;
  mode: 'ok' | 'fail' | 'hang' | 'throw' = 'ok';
  private hung: (() => void)[] = [];

  constructor(readonly name: string) {}

  check = (): Promise<void> => {
    this.calls++;
    if (this.mode === 'throw') throw new Error('thrown before any promise (password=hunter2)');
    if (this.mode === 'fail') return Promise.reject(new Error(`${this.name} down (password=hunter2)`));
    if (this.mode === 'hang') return new Promise((resolve) => this.hung.push(resolve));
    return Promise.resolve();
  };

  release(): void {
    for (const resolve of this.hung.splice(0)) resolve();
  }
}

function setup(cacheMs = 1_000) {
  let now = 5_000;
  const database = new FakeDependency('database');
  const redis = new FakeDependency('redis');
  const probe = new DependencyProbe({ dependencies: [database, redis], clock: { now: () => now }, cacheMs, timeoutMs: 30 });
  return { probe, database, redis, advance: (ms: number) => void (now += ms) };
}

describe('DependencyProbe', () => {
  it('names what fails, in the order given, saying how and nothing of the error text', async () => {
    const t = setup(0);
    expect(await t.probe.failures()).toEqual([]);
    t.redis.mode = 'fail';
    t.database.mode = 'throw';
    const failures = await t.probe.failures();
    expect(failures).toEqual([
      { name: 'database', how: 'unreachable' },
      { name: 'redis', how: 'unreachable' },
    ]);
    expect(JSON.stringify(failures)).not.toContain('hunter2');
  });

  it('reuses one answer for the cache window on the injected clock, then asks again', async () => {
    const t = setup(1_000);
    await t.probe.failures();
    t.redis.mode = 'fail';
    t.advance(999);
    expect(await t.probe.failures()).toEqual([]);
    expect(t.redis.calls).toBe(1);
    t.advance(1);
    expect(await t.probe.failures()).toEqual([{ name: 'redis', how: 'unreachable' }]);
    expect(t.redis.calls).toBe(2);
  });

  it('asks each dependency once for a thousand callers at once', async () => {
    const t = setup(0);
    const answers = await Promise.all(Array.from({ length: 1_000 }, () => t.probe.failures()));
    expect(answers.every((a) => a.length === 0)).toBe(true);
    expect([t.database.calls, t.redis.calls]).toEqual([1, 1]);
  });

  it('counts a hung dependency as not answering, never asks it again while it hangs, and sees it answer once released', async () => {
    const t = setup(0);
    t.database.mode = 'hang';
    for (let round = 0; round < 3; round++) {
      const flood = await Promise.all(Array.from({ length: 100 }, () => t.probe.failures()));
      expect(flood.every((f) => f.length === 1 && f[0]?.name === 'database' && f[0].how === 'not answering')).toBe(true);
    }
    expect(t.database.calls).toBe(1);
    t.database.mode = 'ok';
    t.database.release();
    // A caller arriving as the hung check settles joins it: ok, with no second check.
    expect(await t.probe.failures()).toEqual([]);
    expect(t.database.calls).toBe(1);
    expect(await t.probe.failures()).toEqual([]);
    expect(t.database.calls).toBe(2);
  });
});
