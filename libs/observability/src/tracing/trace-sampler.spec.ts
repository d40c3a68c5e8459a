import { TraceSampler } from './trace-sampler';

describe('TraceSampler (PARLEY_TRACE_SAMPLE)', () => {
  it('1 follows every message without drawing', () => {
    const random = jest.fn(() => 0.99);
    const sampler = new TraceSampler(1, random);
    for (let i = 0; i < 100; i++) expect(sampler.sample()).toBe(true);
    expect(random).not.toHaveBeenCalled();
  });

  it('0 follows none without drawing', () => {
    const random = jest.fn(() => 0);
    const sampler = new TraceSampler(0, random);
    for (let i = 0; i < 100; i++) expect(sampler.sample()).toBe(false);
    expect(random).not.toHaveBeenCalled();
  });

  it('a ratio follows the draws under it', () => {
    const draws = [0.1, 0.3, 0.29, 0.9];
    const sampler = new TraceSampler(0.3, () => draws.shift() ?? 1);
    expect([sampler.sample(), sampler.sample(), sampler.sample(), sampler.sample()]).toEqual([true, false, true, false]);
  });

  it.each([-0.1, 1.5, Number.NaN])('refuses the ratio %p', (ratio) => {
    expect(() => new TraceSampler(ratio)).toThrow(RangeError);
  });
});
