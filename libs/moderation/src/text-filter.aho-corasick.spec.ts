import { AhoCorasickTextFilter } from './text-filter.aho-corasick';
import { parseWordList } from './word-list';

const mask = (words: string[]) => new AhoCorasickTextFilter(words, 'mask');
const masked = (words: string[], text: string) => {
  const result = mask(words).screen(text, 'message');
  if (!result.ok) throw new Error('mask mode refused a text');
  return result.text;
};

describe('AhoCorasickTextFilter', () => {
  it('masks each listed word with one * per character and keeps the rest as written', () => {
    const text = 'You are a Badword, really BADWORD!';
    const out = masked(['badword'], text);
    expect(out).toBe('You are a *******, really *******!');
    expect(out).toHaveLength(text.length);
  });

  it('passes text without listed words unchanged (the same string)', () => {
    const text = 'nothing to see here 没有问题';
    expect(mask(['badword', '坏词']).screen(text, 'message')).toEqual({ ok: true, text });
  });

  it('masks overlapping and nested words completely', () => {
    expect(masked(['abc', 'bcd'], 'xabcdx')).toBe('x****x');
    expect(masked(['he', 'she', 'hers'], 'ushers')).toBe('u*****');
  });

  it('ignores case and width (NFKC), mapping matches back to the characters written', () => {
    // Full-width letters and a ligature are one word with their plain forms; each written character becomes one *.
    expect(masked(['bad'], 'ＢＡＤ and BaD')).toBe('*** and ***');
    expect(masked(['ＢＡＤ'], 'bad')).toBe('***');
    // The ligature ﬃ is one written character (three after NFKC): one *.
    expect(masked(['office'], 'the oﬃce')).toBe('the ****');
  });

  it('folds ß/ẞ as ss and composes combining marks (each written code point still one *)', () => {
    expect(masked(['strasse'], 'die STRAẞE, die Straße')).toBe('die ******, die ******');
    expect(masked(['café'], 'un cafe\u0301!')).toBe('un *****!');
    expect(masked(['ｃａｆｅ'], 'x café')).toBe('x café');
  });

  it('matches Chinese and Japanese words inside text without spaces', () => {
    expect(masked(['坏蛋', '馬鹿'], '你这个坏蛋，お前は馬鹿だ')).toBe('你这个**，お前は**だ');
  });

  it('masks a character outside the BMP as one *', () => {
    expect(masked(['a😀b'], 'xa😀bx')).toBe('x***x');
  });

  it('refuses text holding a listed word in reject mode, and passes the rest', () => {
    const filter = new AhoCorasickTextFilter(['坏蛋', 'badword'], 'reject');
    expect(filter.screen('a BADWORD here', 'displayName')).toEqual({ ok: false });
    expect(filter.screen('你是坏蛋', 'groupName')).toEqual({ ok: false });
    expect(filter.screen('all good', 'message')).toEqual({ ok: true, text: 'all good' });
  });

  it('filters nothing with an empty list', () => {
    for (const mode of ['mask', 'reject'] as const) {
      expect(new AhoCorasickTextFilter([], mode).screen('anything at all', 'message')).toEqual({ ok: true, text: 'anything at all' });
    }
  });

  it('passes empty text', () => {
    expect(new AhoCorasickTextFilter(['x'], 'reject').screen('', 'message')).toEqual({ ok: true, text: '' });
  });
});

describe('parseWordList', () => {
  it('reads one word per line, trimmed, skipping blanks, # comments, a BOM and duplicates (as matched)', () => {
    const file = '\uFEFF# the list\nbadword\r\n  spaced phrase  \n\n#not a word\n坏蛋\nBADWORD\nｂａｄｗｏｒｄ\n';
    expect(parseWordList(file)).toEqual(['badword', 'spaced phrase', '坏蛋']);
  });

  it('matches a phrase with its inner space', () => {
    expect(masked(parseWordList('spaced phrase\n'), 'a spaced phrase.')).toBe('a *************.');
  });
});
