import { MemoryThrottleFactory } from '@parley/limits';
import { ParleyMetrics } from '@parley/observability';
import { meteredThrottles } from './metered-throttles';

const seriesOf = (text: string, family: string): string[] => text.split('\n').filter((line) => line.startsWith(`${family}{`));

describe('metered throttles', () => {
  it('counts each refused consume under the throttle name, and only refusals', async () => {
    const metrics = new ParleyMetrics({ defaultMetrics: false });
    const throttles = meteredThrottles(new MemoryThrottleFactory(), metrics, metrics.forGateway('gw-1'));
    const perIp = throttles.create({ name: 'register-ip', points: 3, durationSec: 60 });
    const other = throttles.create({ name: 'login-ip', points: 1_000, durationSec: 60 });
    const decisions = await Promise.all(Array.from({ length: 1_000 }, () => perIp.consume('203.0.113.9')));
    await other.consume('203.0.113.9');
    expect(decisions.filter((d) => d.ok)).toHaveLength(3);
    const text = (await metrics.text()).body;
    expect(seriesOf(text, 'parley_rate_limited_total')).toEqual(['parley_rate_limited_total{node="",gateway="gw-1",limit="register-ip"} 997']);
    // Memory counters: nothing is timed as a Redis operation.
    expect(seriesOf(text, 'parley_redis_operation_duration_seconds_count')).toEqual([]);
    // The wrapper is transparent: refunds, peeks and resets reach the engine.
    await perIp.reset('203.0.113.9');
    expect(await perIp.peek('203.0.113.9')).toBe(0);
  });

  it('times each call as <name>.<method> when the counters live in Redis', async () => {
    const metrics = new ParleyMetrics({ defaultMetrics: false });
    const throttles = meteredThrottles(new MemoryThrottleFactory(), metrics, metrics.forGateway('gw-1'), { timeRedis: true });
    const gate = throttles.create({ name: 'login-account-gate', points: 1, durationSec: 60 });
    await gate.consume('k');
    await gate.peek('k');
    const text = (await metrics.text()).body;
    expect(seriesOf(text, 'parley_redis_operation_duration_seconds_count')).toEqual([
      'parley_redis_operation_duration_seconds_count{node="",gateway="gw-1",operation="login-account-gate.consume",result="ok"} 1',
      'parley_redis_operation_duration_seconds_count{node="",gateway="gw-1",operation="login-account-gate.peek",result="ok"} 1',
    ]);
  });
});
