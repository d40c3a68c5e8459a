import { meteredThrottles } from './metered-throttles';
import { ParleyMetrics } from './parley-metrics';

interface Spec {
  name: string;
  points: number;
}
type Decision = { ok: true; consumed: number } | { ok: false; consumed: number; retryAfterMs: number };

/** A counting throttle with state of its own (methods must run on it, not on a wrapper). */
class CountingThrottle {
  private readonly used = new Map<string, number>();

  constructor(private readonly spec: Spec) {}

  async consume(key: string, points = 1): Promise<Decision> {
    const consumed = (this.used.get(key) ?? 0) + points;
    if (consumed > this.spec.points) return { ok: false, consumed: consumed - points, retryAfterMs: 1_000 };
    this.used.set(key, consumed);
    return { ok: true, consumed };
  }

  async refund(key: string, points = 1): Promise<void> {
    this.used.set(key, Math.max(0, (this.used.get(key) ?? 0) - points));
  }

  async peek(key: string): Promise<number> {
    return this.used.get(key) ?? 0;
  }

  async reset(key: string): Promise<void> {
    this.used.delete(key);
  }
}

const factory = { create: (spec: Spec) => new CountingThrottle(spec) };
const seriesOf = (text: string, family: string): string[] => text.split('\n').filter((line) => line.startsWith(`${family}{`));
const scrape = async (metrics: ParleyMetrics): Promise<string> => (await metrics.text()).body;

describe('meteredThrottles', () => {
  it('counts each refused consume under the throttle name, only refusals, a thousand at once included', async () => {
    const metrics = new ParleyMetrics({ defaultMetrics: false });
    const throttles = meteredThrottles(factory, metrics, metrics.forGateway('gw-1'));
    const perIp = throttles.create({ name: 'register-ip', points: 3 });
    const other = throttles.create({ name: 'login-ip', points: 1_000 });
    const decisions = await Promise.all(Array.from({ length: 1_000 }, () => perIp.consume('203.0.113.9')));
    await other.consume('203.0.113.9');
    expect(decisions.filter((d) => d.ok)).toHaveLength(3);
    const text = await scrape(metrics);
    expect(seriesOf(text, 'parley_rate_limited_total')).toEqual(['parley_rate_limited_total{node="",gateway="gw-1",limit="register-ip"} 997']);
    expect(seriesOf(text, 'parley_redis_operation_duration_seconds_count')).toEqual([]);
    // Transparent: refunds, peeks and resets reach the throttle's own state.
    await perIp.refund('203.0.113.9');
    expect(await perIp.peek('203.0.113.9')).toBe(2);
    await perIp.reset('203.0.113.9');
    expect(await perIp.peek('203.0.113.9')).toBe(0);
  });

  it('times each call as <name>.<method> when the counters live in Redis, counting refusals as well', async () => {
    const metrics = new ParleyMetrics({ defaultMetrics: false });
    const throttles = meteredThrottles(factory, metrics, metrics.forNode('im-1'), { timeRedis: true });
    const gate = throttles.create({ name: 'login-account-gate', points: 1 });
    await gate.consume('k');
    await gate.consume('k');
    await gate.peek('k');
    const text = await scrape(metrics);
    expect(seriesOf(text, 'parley_redis_operation_duration_seconds_count')).toEqual([
      'parley_redis_operation_duration_seconds_count{node="im-1",gateway="",operation="login-account-gate.consume",result="ok"} 2',
      'parley_redis_operation_duration_seconds_count{node="im-1",gateway="",operation="login-account-gate.peek",result="ok"} 1',
    ]);
    expect(seriesOf(text, 'parley_rate_limited_total')).toEqual(['parley_rate_limited_total{node="im-1",gateway="",limit="login-account-gate"} 1']);
  });

  it('names the limit as limitOf says, and counts nothing for a throttle it leaves out', async () => {
    const metrics = new ParleyMetrics({ defaultMetrics: false });
    const limitOf = (name: string) => (name === 'user-send' ? 'user_send' : undefined);
    const throttles = meteredThrottles(factory, metrics, metrics.forNode('im-1'), { limitOf });
    const send = throttles.create({ name: 'user-send', points: 1 });
    const social = throttles.create({ name: 'user-social', points: 1 });
    for (let i = 0; i < 3; i++) await Promise.all([send.consume('u'), social.consume('u')]);
    expect(seriesOf(await scrape(metrics), 'parley_rate_limited_total')).toEqual(['parley_rate_limited_total{node="im-1",gateway="",limit="user_send"} 2']);
  });
});
