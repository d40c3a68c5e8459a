import { hash32 } from './hash';

describe('hash32', () => {
  it('is stable, unsigned 32-bit, and separates its parts', () => {
    expect(hash32('im-1', 'group:a')).toBe(hash32('im-1', 'group:a'));
    expect(hash32('im-1', 'group:a')).toBe(hash32('im-1\u0000group:a'));
    expect(hash32('ab', 'c')).not.toBe(hash32('a', 'bc'));
    for (const h of [hash32(''), hash32('x'), hash32('a', 'b')]) {
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
    }
  });

  it('spreads close keys: 1,000 rooms over 4 candidates, each gets a fair share', () => {
    const wins = new Map<string, number>();
    const candidates = ['gw-1', 'gw-2', 'gw-3', 'gw-4'];
    for (let i = 0; i < 1_000; i++) {
      const room = `group:${i}`;
      const best = candidates.reduce((a, b) => (hash32(b, room) > hash32(a, room) ? b : a));
      wins.set(best, (wins.get(best) ?? 0) + 1);
    }
    for (const c of candidates) expect(wins.get(c) ?? 0).toBeGreaterThan(150);
  });
});
