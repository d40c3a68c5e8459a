import { createLogger } from '@parley/util-node';
import { Readiness, type DependencyCheck } from './readiness';

/** A dependency whose answer the test sets, counting how often it is asked. */
class FakeDependency implements DependencyCheck {
  calls = 0;
  mode: 'ok' | 'fail' | 'hang' = 'ok';
  private hung: (() => void)[] = [];

  constructor(readonly name: string) {}

  check = (): Promise<void> => {
    this.calls++;
    if (this.mode === 'fail') return Promise.reject(new Error(`${this.name} down (secret=hunter2)`));
    if (this.mode === 'hang') return new Promise((resolve) => this.hung.push(resolve));
    return Promise.resolve();
  };

  /** Lets every hanging check answer (ok). */
  release(): void {
    for (const resolve of this.hung.splice(0)) resolve();
  }
}

const READY = { ready: true, failed: [], reasons: [] };

function setup(options: { cacheMs?: number; timeoutMs?: number } = {}) {
  let now = 1_000_000;
  const state = { lifecycle: undefined as string | undefined, relay: true };
  const database = new FakeDependency('database');
  const redis = new FakeDependency('redis');
  const readiness = new Readiness({
    checks: [database, redis],
    lifecycle: () => state.lifecycle,
    relayReady: () => state.relay,
    clock: { now: () => now },
    logger: createLogger({ name: 'test', level: 'silent' }),
    cacheMs: options.cacheMs ?? 1_000,
    timeoutMs: options.timeoutMs ?? 50,
  });
  return {
    readiness,
    state,
    database,
    redis,
    /** Moves past the cache window. */
    expire: () => void (now += options.cacheMs ?? 1_000),
  };
}

describe('Readiness', () => {
  it('is ready when the node takes sessions, a relay stream is up and every dependency answers', async () => {
    const { readiness } = setup();
    expect(await readiness.check()).toEqual(READY);
  });

  it.each(['database', 'redis'] as const)('turns not ready naming %s when it fails, and ready again once it answers', async (name) => {
    const t = setup();
    const dependency = t[name];
    dependency.mode = 'fail';
    t.expire();
    const down = await t.readiness.check();
    expect(down).toEqual({ ready: false, failed: [name], reasons: [`${name} unreachable`] });
    // Names only: nothing of the error's text (which may carry addresses or secrets) reaches the answer.
    expect(JSON.stringify(down)).not.toContain('hunter2');
    dependency.mode = 'ok';
    t.expire();
    expect(await t.readiness.check()).toEqual(READY);
  });

  it('counts a dependency that does not answer within the timeout as failed, and does not ask it again while its check hangs', async () => {
    const t = setup();
    t.database.mode = 'hang';
    const hung = { ready: false, failed: ['database'], reasons: ['database not answering'] };
    expect(await t.readiness.check()).toEqual(hung);
    t.expire();
    expect(await t.readiness.check()).toEqual(hung);
    expect(t.database.calls).toBe(1);
    t.database.mode = 'ok';
    t.database.release();
    // The hung check settles after its promise chain runs; then a new one is asked.
    await new Promise((resolve) => setImmediate(resolve));
    t.expire();
    expect(await t.readiness.check()).toEqual(READY);
    expect(t.database.calls).toBe(2);
  });

  it('turns not ready naming relay while no relay stream is up, without waiting for the cache', async () => {
    const t = setup();
    await t.readiness.check();
    t.state.relay = false;
    expect(await t.readiness.check()).toEqual({ ready: false, failed: ['relay'], reasons: ['no relay gateway stream ready'] });
    t.state.relay = true;
    expect(await t.readiness.check()).toEqual(READY);
  });

  it('lists every failure at once, in a fixed order', async () => {
    const t = setup();
    t.state.relay = false;
    t.redis.mode = 'fail';
    t.database.mode = 'hang';
    expect(await t.readiness.check()).toEqual({
      ready: false,
      failed: ['relay', 'database', 'redis'],
      reasons: ['no relay gateway stream ready', 'database not answering', 'redis unreachable'],
    });
    t.database.release();
  });

  it('is not ready while starting or draining, and asks no dependency then', async () => {
    const t = setup();
    t.state.lifecycle = 'starting';
    expect(await t.readiness.check()).toEqual({ ready: false, failed: ['starting'], reasons: ['starting'] });
    t.state.lifecycle = 'draining';
    expect(await t.readiness.check()).toEqual({ ready: false, failed: ['draining'], reasons: ['draining'] });
    expect(t.readiness.readyNow()).toBe(false);
    expect(t.database.calls + t.redis.calls).toBe(0);
  });

  it('asks each dependency once for a flood of a thousand checks at once, and once more only after the cache window', async () => {
    const t = setup();
    const answers = await Promise.all(Array.from({ length: 1000 }, () => t.readiness.check()));
    expect(answers.every((a) => a.ready)).toBe(true);
    expect([t.database.calls, t.redis.calls]).toEqual([1, 1]);
    await Promise.all(Array.from({ length: 1000 }, () => t.readiness.check()));
    expect([t.database.calls, t.redis.calls]).toEqual([1, 1]);
    t.expire();
    await Promise.all(Array.from({ length: 1000 }, () => t.readiness.check()));
    expect([t.database.calls, t.redis.calls]).toEqual([2, 2]);
  });

  it('readyNow answers the last result and refreshes a stale one for the next read', async () => {
    const t = setup();
    expect(t.readiness.readyNow()).toBe(false); // nothing checked yet; this starts a check
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.readiness.readyNow()).toBe(true);
    t.redis.mode = 'fail';
    t.expire();
    expect(t.readiness.readyNow()).toBe(true); // stale: answered, and refreshed behind
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.readiness.readyNow()).toBe(false);
  });
});
