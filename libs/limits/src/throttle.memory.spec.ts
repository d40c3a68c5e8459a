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

  it('gives everything in the process that creates one name the same counter, as Redis does', async () => {
    const factory = new MemoryThrottleFactory();
    const nodeOne = factory.create({ name: 'user-send', points: 2, durationSec: 60 });
    const nodeTwo = factory.create({ name: 'user-send', points: 2, durationSec: 60 });
    await expect(nodeOne.consume('ann')).resolves.toMatchObject({ ok: true });
    await expect(nodeTwo.consume('ann')).resolves.toMatchObject({ ok: true });
    await expect(nodeOne.consume('ann')).resolves.toMatchObject({ ok: false });
    expect(() => factory.create({ name: 'user-send', points: 3, durationSec: 60 })).toThrow(/other limits/);
  });

  it('keeps a key of a window longer than a Node timer can wait (30 days) instead of losing it at once', async () => {
    const known = new MemoryThrottleFactory().create({ name: 'known', points: 1_000_000, durationSec: 30 * 86_400 });
    await known.consume('ann');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await known.peek('ann')).toBe(1);
    await known.consume('bob', 1, { windowSec: 40 * 86_400 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await known.peek('bob')).toBe(1);
  });
});
