import { encode, mergeEncoded, newHistogram, recordMs, summarize } from './histogram';

describe('bench latency histograms', () => {
  it('merges the workers’ encoded histograms into one, counts and percentiles included', () => {
    const a = newHistogram();
    const b = newHistogram();
    for (let ms = 1; ms <= 50; ms++) recordMs(a, ms);
    for (let ms = 51; ms <= 100; ms++) recordMs(b, ms);
    const merged = summarize(mergeEncoded([encode(a), encode(b)]));
    expect(merged.count).toBe(100);
    // 3 significant digits: within 0.1% of the exact figure.
    expect(merged.p50Ms).toBeCloseTo(50, 1);
    expect(merged.p99Ms).toBeCloseTo(99, 1);
    expect(merged.maxMs).toBeCloseTo(100, 1);
    expect(merged.meanMs).toBeCloseTo(50.5, 1);
  });

  it('keeps sub-millisecond latencies (recorded in microseconds)', () => {
    const h = newHistogram();
    recordMs(h, 0.25);
    expect(summarize(h).p50Ms).toBeCloseTo(0.25, 3);
  });

  it('summarizes an empty histogram as no figures, not zeros', () => {
    const empty = summarize(mergeEncoded([]));
    expect(empty.count).toBe(0);
    expect(empty.p99Ms).toBeNaN();
  });
});
