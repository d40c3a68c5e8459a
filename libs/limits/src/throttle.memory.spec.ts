import { MemoryThrottleFactory } from './throttle.memory';
import { describeThrottleContract } from './testing/throttle.contract';

describeThrottleContract('memory', async () => ({ factory: new MemoryThrottleFactory(), close: async () => {} }));

describe('MemoryThrottleFactory', () => {
  it('refuses a throttle spec it could not honour', () => {
    const factory = new MemoryThrottleFactory();
    expect(() => factory.create({ name: 'bad name', points: 1, durationSec: 1 })).toThrow(/name/);
    expect(() => factory.create({ name: 'ok', points: 0, durationSec: 1 })).toThrow();
    expect(() => factory.create({ name: 'ok', points: 1, durationSec: 0.5 })).toThrow(/durationSec/);
  });
});
