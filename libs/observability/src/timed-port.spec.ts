import { ParleyMetrics } from './parley-metrics';
import { timedPort } from './timed-port';

/** A port-shaped class: async methods, a sync one, a getter and state behind them. */
class FakePort {
  calls = 0;
  private readonly rows = new Map<string, string>();

  async put(key: string, value: string): Promise<void> {
    this.calls++;
    this.rows.set(key, value);
  }

  async get(key: string): Promise<string> {
    this.calls++;
    const value = this.rows.get(key);
    if (value === undefined) throw new Error(`no ${key}`);
    return value;
  }

  size(): number {
    return this.rows.size;
  }

  get empty(): boolean {
    return this.rows.size === 0;
  }
}

async function counts(metrics: ParleyMetrics): Promise<Record<string, number>> {
  const metric = await metrics.storeDuration.get();
  const out: Record<string, number> = {};
  for (const v of metric.values) {
    if (v.metricName !== 'parley_store_operation_duration_seconds_count') continue;
    out[`${String(v.labels.node)}/${String(v.labels.operation)}/${String(v.labels.result)}`] = v.value;
  }
  return out;
}

describe('timedPort', () => {
  it('times every async method by operation and result, with the given labels, and passes values and errors through', async () => {
    const metrics = new ParleyMetrics({ defaultMetrics: false });
    const port = new FakePort();
    const timed = timedPort(port, metrics.storeDuration, metrics.forNode('im-1'));
    await timed.put('a', '1');
    await timed.put('b', '2');
    await expect(timed.get('a')).resolves.toBe('1');
    await expect(timed.get('zzz')).rejects.toThrow('no zzz');
    expect(await counts(metrics)).toEqual({ 'im-1/put/ok': 2, 'im-1/get/ok': 1, 'im-1/get/error': 1 });
    expect(port.calls).toBe(4);
  });

  it('runs methods on the target (its state and private fields), leaves sync methods and getters untimed', async () => {
    const metrics = new ParleyMetrics({ defaultMetrics: false });
    const port = new FakePort();
    const timed = timedPort(port, metrics.storeDuration, metrics.forNode('im-1'));
    expect(timed.empty).toBe(true);
    await timed.put('a', '1');
    expect(timed.size()).toBe(1);
    expect(port.size()).toBe(1);
    expect(timed.empty).toBe(false);
    expect(await counts(metrics)).toEqual({ 'im-1/put/ok': 1 });
  });

  it('wraps plain objects of functions (an engine built with Object.assign) and prefixes operations when asked', async () => {
    const metrics = new ParleyMetrics({ defaultMetrics: false });
    const throttle = { consume: async (key: string) => ({ ok: key !== 'flood' }), reset: async () => undefined };
    const timed = timedPort(throttle, metrics.redisDuration, metrics.forGateway('gw-1'), { operationPrefix: 'login.' });
    expect(await timed.consume('alice')).toEqual({ ok: true });
    await timed.reset();
    const metric = await metrics.redisDuration.get();
    const operations = metric.values.filter((v) => v.metricName?.endsWith('_count')).map((v) => `${String(v.labels.gateway)}:${String(v.labels.node)}:${String(v.labels.operation)}`);
    expect(operations.sort()).toEqual(['gw-1::login.consume', 'gw-1::login.reset']);
  });

  it('adds no series for methods never called, and makes its wrappers once (a call allocates no new wrapper)', async () => {
    const metrics = new ParleyMetrics({ defaultMetrics: false });
    const timed = timedPort(new FakePort(), metrics.storeDuration, metrics.forNode('im-1'));
    expect(await counts(metrics)).toEqual({});
    const put = timed.put;
    await timed.put('a', '1');
    expect(timed.put).toBe(put);
  });

  it('records a method that throws synchronously as untimed and rethrows it', () => {
    const metrics = new ParleyMetrics({ defaultMetrics: false });
    const port = { explode: (): Promise<void> => { throw new Error('boom'); } };
    const timed = timedPort(port, metrics.storeDuration, metrics.forNode('im-1'));
    expect(() => timed.explode()).toThrow('boom');
  });
});
