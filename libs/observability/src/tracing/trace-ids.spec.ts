import { frameTraceOf, isSpanId, isTraceId, newTraceId } from './trace-ids';

describe('trace ids', () => {
  it('are 32 lowercase hex digits (W3C), never all zeros, and differ across thousands', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const id = newTraceId();
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(isTraceId(id)).toBe(true);
      ids.add(id);
    }
    expect(ids.size).toBe(5_000);
  });

  it.each([
    ['uppercase', '4BF92F3577B34DA6A3CE929D0E0E4736'],
    ['all zeros', '0'.repeat(32)],
    ['31 digits', '4bf92f3577b34da6a3ce929d0e0e473'],
    ['33 digits', '4bf92f3577b34da6a3ce929d0e0e47360'],
    ['not hex', '4bf92f3577b34da6a3ce929d0e0e473g'],
    ['a newline', '4bf92f3577b34da6a3ce929d0e0e47\n6'],
    ['empty', ''],
  ])('a trace id with %s is refused', (_name, id) => {
    expect(isTraceId(id)).toBe(false);
  });

  it('refuses what is not a string', () => {
    expect(isTraceId(undefined)).toBe(false);
    expect(isTraceId(42)).toBe(false);
    expect(isSpanId({})).toBe(false);
  });

  it('span ids are 16 lowercase hex digits, not all zeros', () => {
    expect(isSpanId('00f067aa0ba902b7')).toBe(true);
    expect(isSpanId('0'.repeat(16))).toBe(false);
    expect(isSpanId('00F067AA0BA902B7')).toBe(false);
  });
});

describe('frameTraceOf (a relay frame\'s trace, untrusted)', () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';

  it('keeps a sampled, well-formed trace and its parent span', () => {
    expect(frameTraceOf(traceId, 1, '00f067aa0ba902b7')).toEqual({ traceId, spanId: '00f067aa0ba902b7' });
  });

  it('drops an unsampled frame, a malformed id, and a flags field that is not a number', () => {
    expect(frameTraceOf(traceId, 0, '')).toBeUndefined();
    expect(frameTraceOf('x'.repeat(32), 1, '')).toBeUndefined();
    expect(frameTraceOf(traceId, '1', '')).toBeUndefined();
  });

  it('keeps the trace but not a malformed parent span', () => {
    expect(frameTraceOf(traceId, 1, '"};drop')).toEqual({ traceId, spanId: '' });
  });
});
