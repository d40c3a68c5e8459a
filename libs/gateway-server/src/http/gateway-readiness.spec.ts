import { GatewayReadiness, type Pingable } from './gateway-readiness';

/** A dependency whose next pings the test decides: answer, fail or hang (until released). */
class Dependency implements Pingable {
  pings = 0;
  mode: 'ok' | 'fail' | 'hang' = 'ok';
  private release: (() => void)[] = [];

  ping(): Promise<void> {
    this.pings += 1;
    if (this.mode === 'ok') return Promise.resolve();
    if (this.mode === 'fail') return Promise.reject(new Error('ECONNREFUSED'));
    return new Promise((resolve) => this.release.push(resolve));
  }

  answerHanging(): void {
    for (const resolve of this.release.splice(0)) resolve();
  }
}

describe('gateway readiness', () => {
  let store: Dependency;
  let redis: Dependency;
  let listening: boolean;
  const relay = { isListening: () => listening };
  const logged: { level: string; msg: string }[] = [];
  const logger = {
    debug: () => undefined,
    info: (_o: object, msg?: string) => logged.push({ level: 'info', msg: msg ?? '' }),
    warn: (_o: object, msg?: string) => logged.push({ level: 'warn', msg: msg ?? '' }),
    error: () => undefined,
    child: () => logger,
  };

  beforeEach(() => {
    store = new Dependency();
    redis = new Dependency();
    listening = true;
    logged.length = 0;
  });

  const uncached = () => new GatewayReadiness({ store, redis, relay, logger }, { pingTimeoutMs: 50, answerCacheMs: 0 });

  it('is ready when the database and Redis answer and the relay listens; each failing one is named, and it comes back', async () => {
    const readiness = uncached();
    expect(await readiness.answer()).toEqual({ ready: true });

    redis.mode = 'fail';
    expect(await readiness.answer()).toEqual({ ready: false, failed: ['redis'], detail: 'not ready: redis unreachable' });
    redis.mode = 'ok';
    store.mode = 'fail';
    expect(await readiness.answer()).toEqual({ ready: false, failed: ['database'], detail: 'not ready: database unreachable' });
    store.mode = 'ok';
    listening = false;
    expect(await readiness.answer()).toEqual({ ready: false, failed: ['relay'], detail: 'not ready: relay not listening' });
    listening = true;
    expect(await readiness.answer()).toEqual({ ready: true });
  });

  it('names every dependency that fails at once, a hanging one as not answering', async () => {
    const readiness = uncached();
    store.mode = 'hang';
    redis.mode = 'fail';
    listening = false;
    expect(await readiness.answer()).toEqual({
      ready: false,
      failed: ['database', 'redis', 'relay'],
      detail: 'not ready: database not answering, redis unreachable, relay not listening',
    });
    store.answerHanging();
  });

  it('checks no Redis when there is none (memory limits, embedded mode)', async () => {
    const readiness = new GatewayReadiness({ store, relay }, { answerCacheMs: 0 });
    redis.mode = 'fail';
    expect(await readiness.answer()).toEqual({ ready: true });
    expect(redis.pings).toBe(0);
  });

  it('never asks for a node stream: a gateway no node has dialled yet is ready (nodes find it through Consul only once it is)', async () => {
    const readiness = new GatewayReadiness({ store, redis, relay: { isListening: () => true } });
    expect(await readiness.answer()).toEqual({ ready: true });
  });

  it('a thousand concurrent checks cost one ping per dependency, and a hanging Redis is never pinged twice', async () => {
    const cached = new GatewayReadiness({ store, redis, relay }, { pingTimeoutMs: 50, answerCacheMs: 60_000 });
    const answers = await Promise.all(Array.from({ length: 1_000 }, () => cached.answer()));
    expect(answers.every((a) => a.ready)).toBe(true);
    expect({ store: store.pings, redis: redis.pings }).toEqual({ store: 1, redis: 1 });

    const readiness = uncached();
    redis.mode = 'hang';
    for (let round = 0; round < 3; round++) {
      const flood = await Promise.all(Array.from({ length: 300 }, () => readiness.answer()));
      expect(flood.every((a) => !a.ready && a.failed.join() === 'redis')).toBe(true);
    }
    expect(redis.pings).toBe(2); // the cached gateway's one, and this one's single hanging ping
    redis.mode = 'ok';
    redis.answerHanging();
    expect(await readiness.answer()).toEqual({ ready: true });
  });

  it('reuses the dependencies\' answer for answerCacheMs on its clock, and reads the relay fresh', async () => {
    let now = 0;
    const readiness = new GatewayReadiness({ store, redis, relay, logger, clock: { now: () => now } }, { pingTimeoutMs: 50, answerCacheMs: 1_000 });
    expect(await readiness.answer()).toEqual({ ready: true });
    redis.mode = 'fail';
    now = 999;
    expect(await readiness.answer()).toEqual({ ready: true });
    listening = false;
    expect(await readiness.answer()).toEqual({ ready: false, failed: ['relay'], detail: 'not ready: relay not listening' });
    listening = true;
    now = 1_000;
    expect(await readiness.answer()).toEqual({ ready: false, failed: ['redis'], detail: 'not ready: redis unreachable' });
    expect(redis.pings).toBe(2);
  });

  it('logs a change of readiness once, not every probe', async () => {
    const readiness = uncached();
    await readiness.answer();
    redis.mode = 'fail';
    for (let i = 0; i < 5; i++) await readiness.answer();
    redis.mode = 'ok';
    for (let i = 0; i < 5; i++) await readiness.answer();
    expect(logged).toEqual([
      { level: 'info', msg: 'gateway ready' },
      { level: 'warn', msg: 'not ready: redis unreachable' },
      { level: 'info', msg: 'gateway ready' },
    ]);
  });

  it('reports stopping before anything else, and readyNow() (parley_ready) follows the last answer without waiting', async () => {
    const readiness = uncached();
    expect(readiness.readyNow()).toBe(false); // nothing checked yet; this starts a check
    await readiness.answer();
    expect(readiness.readyNow()).toBe(true);
    readiness.markStopping();
    expect(readiness.readyNow()).toBe(false);
    expect(await readiness.answer()).toEqual({ ready: false, failed: ['stopping'], detail: 'not ready: stopping' });
  });
});
