import { registerBodySchema, updateMeBodySchema } from './rest';
import { groupUpdateSchema } from './social';
import { groupCreateSchema } from './socket';
import { shownNameSchema, usernameKey } from './text-rules';
import { parseOrThrow } from './validate';

const name = shownNameSchema(64);
const INVISIBLE = 'must not contain control, zero-width or direction-override characters';

function refusal(input: string): string | undefined {
  const result = name.safeParse(input);
  return result.success ? undefined : result.error.issues[0]?.message;
}

describe('shownNameSchema: names people show each other', () => {
  it.each([
    ['NUL', 'Ann\u0000Admin'],
    ['a newline', 'Ann\nAdmin'],
    ['an escape (terminal colours)', 'Ann\u001b[31m'],
    ['DEL', 'Ann\u007f'],
    ['right-to-left override', 'Ann\u202Egnp.exe'],
    ['left-to-right embedding', '\u202AAnn'],
    ['a bidi isolate', 'Ann\u2067x\u2069'],
    ['the Arabic letter mark', 'Ann\u061C'],
    ['zero-width space', 'An\u200Bn'],
    ['zero-width joiner', 'An\u200Dn'],
    ['word joiner', 'An\u2060n'],
    ['a byte-order mark inside', 'An\uFEFFn'],
    ['a soft hyphen', 'An\u00ADn'],
    ['a tag character', 'Ann\u{E0041}'],
    ['a line separator', 'Ann\u2028Admin'],
    ['a lone surrogate', 'Ann\uD800'],
    ['a private-use character', 'Ann\uE000'],
    ['only a Hangul filler', '\u3164'],
    ['only a braille blank', '\u2800'],
  ])('refuses a name with %s', (_what, input) => {
    expect(refusal(input)).toBe(INVISIBLE);
  });

  it('takes joiners where text needs them (an emoji family, Persian ZWNJ) and nowhere else', () => {
    for (const real of ['Ann 👨\u200D👩\u200D👧', 'Ann 👩🏽\u200D💻', 'می\u200Cخواهم']) {
      expect({ real, refused: refusal(real) }).toEqual({ real, refused: undefined });
    }
    expect(refusal('Ann\u200D😀')).toBe(INVISIBLE);
    expect(refusal('😀\u200DAnn')).toBe(INVISIBLE);
    expect(refusal('Ann\u200C')).toBe(INVISIBLE);
    expect(refusal('\u200CAnn')).toBe(INVISIBLE);
  });

  it('refuses stacked combining marks ("Zalgo") but takes the marks real names use', () => {
    expect(refusal(`Ann${'\u0336\u0337\u0338\u0339\u033A'}`)).toBe('must not stack more than 4 combining marks on one character');
    expect(refusal('Nguyễn Thị Ánh')).toBeUndefined();
  });

  it('stores a combining sequence in its composed form, so look-alike names are the same string', () => {
    const decomposed = 'Zoe\u0308 Cafe\u0301';
    expect(name.parse(decomposed)).toBe('Zoë Café');
    expect(name.parse(decomposed)).toBe(name.parse('Zoë Café'));
    expect(name.parse(decomposed).length).toBe(8);
  });

  it('trims, refuses empty and over-long names, and keeps real names of any script', () => {
    expect(name.parse('  Ann  ')).toBe('Ann');
    expect(refusal('   ')).toBe('must not be empty');
    expect(refusal('x'.repeat(65))).toBe('must be at most 64 characters');
    for (const real of ['Zoë', 'José Ñúñez', '山田 太郎', 'محمد', 'Ольга', 'שרה', 'ผู้ใช้', 'Ann 😀', 'Ann ❤️', 'O’Brien-Smith']) {
      expect({ real, refused: refusal(real) }).toEqual({ real, refused: undefined });
    }
  });

  it('guards registration, profile updates, group creation and renaming, naming the field', () => {
    expect(() => parseOrThrow(registerBodySchema, { username: 'ann', password: 'x'.repeat(12), displayName: 'A\u202Enn' })).toThrow(
      `displayName: ${INVISIBLE}`,
    );
    expect(() => parseOrThrow(updateMeBodySchema, { displayName: 'A\u200Bnn' })).toThrow(`displayName: ${INVISIBLE}`);
    expect(() => parseOrThrow(groupCreateSchema, { name: 'Team\u0000' })).toThrow(`name: ${INVISIBLE}`);
    expect(() => parseOrThrow(groupUpdateSchema, { groupId: 'g1', name: '\u202Emaet' })).toThrow(`name: ${INVISIBLE}`);
    expect(parseOrThrow(groupCreateSchema, { name: 'Cafe\u0301 crew' }).name).toBe('Café crew');
  });
});

describe('avatar URLs', () => {
  const avatar = (avatarUrl: string): boolean => updateMeBodySchema.safeParse({ avatarUrl }).success;

  it('takes https only: not http, javascript:, data: or other schemes', () => {
    expect(avatar('https://example.com/ann.png')).toBe(true);
    expect(avatar('HTTPS://example.com/ann.png')).toBe(true);
    for (const bad of ['http://example.com/ann.png', 'javascript:alert(1)', 'JavaScript:alert(1)', 'data:image/svg+xml,<svg/>', 'ftp://example.com/a.png', '//example.com/a.png', 'not a url']) {
      expect({ bad, accepted: avatar(bad) }).toEqual({ bad, accepted: false });
    }
    expect(() => parseOrThrow(updateMeBodySchema, { avatarUrl: 'http://example.com/ann.png' })).toThrow(/^avatarUrl: /);
  });

  it(`refuses one longer than 512 characters`, () => {
    expect(avatar(`https://example.com/${'a'.repeat(600)}`)).toBe(false);
  });
});

describe('usernameKey', () => {
  it('folds case and width, so variants share one key', () => {
    expect(usernameKey('Victim')).toBe('victim');
    expect(usernameKey('ｖｉｃｔｉｍ')).toBe('victim');
  });
});
