import { ParleyError } from '@parley/protocol';
import { checkAuditWidth, cutToCodePoints } from './audit-text';

const wellFormed = (s: string): boolean => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

describe('cutToCodePoints', () => {
  it('keeps whole characters: an emoji at the cut is kept whole or left out, never halved', () => {
    for (const prefix of ['', 'a', 'ab']) {
      const text = prefix + '🚧'.repeat(600);
      const cut = cutToCodePoints(text, 1_000);
      expect([...cut].length).toBe(Math.min(1_000, [...text].length));
      expect(wellFormed(cut)).toBe(true);
      expect(text.startsWith(cut)).toBe(true);
    }
    expect(cutToCodePoints('🚧🚧🚧', 2)).toBe('🚧🚧');
    expect(cutToCodePoints('short', 1_000)).toBe('short');
    expect(cutToCodePoints('', 10)).toBe('');
  });

  it('replaces a lone surrogate it was given (the store cannot write one)', () => {
    expect(cutToCodePoints('a\uD83Db', 10)).toBe('a\uFFFDb');
    expect(cutToCodePoints('\uDEA7x', 10)).toBe('\uFFFDx');
    expect(wellFormed(cutToCodePoints('x'.repeat(999) + '\uD83D', 1_000))).toBe(true);
  });
});

describe('checkAuditWidth', () => {
  it('takes values up to the column width in code points and refuses a wider one with INVALID_ARGUMENT naming the field', () => {
    expect(() => checkAuditWidth('target', 't'.repeat(255))).not.toThrow();
    expect(() => checkAuditWidth('target', '🚧'.repeat(255))).not.toThrow();
    expect(() => checkAuditWidth('actorId', 'a'.repeat(64))).not.toThrow();
    for (const [field, value] of [['target', 't'.repeat(256)], ['actorId', 'a'.repeat(65)], ['gatewayId', 'g'.repeat(129)]] as const) {
      let caught: unknown;
      try {
        checkAuditWidth(field, value);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ParleyError);
      expect(caught).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(field) });
    }
  });
});
