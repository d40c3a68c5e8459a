import AhoCorasick from 'modern-ahocorasick';
import type { ScreenResult, ScreenedField, TextFilter } from '@parley/domain';
import { must } from '@parley/util';

/** `mask`: listed words become `*`; `reject`: a text holding one is refused. */
export type FilterMode = 'mask' | 'reject';

const MASK = '*';
const ASCII_ONLY = /^[\x00-\x7f]*$/;

/**
 * The sensitive-word filter on an Aho–Corasick automaton (modern-ahocorasick):
 * one pass over the text whatever the number of words. Words and text are
 * compared folded (see fold: NFKC and lower case, so `ＢＡＤ`, `Bad` and
 * `bad` are one word); masking maps each match back to the characters that
 * were written and replaces exactly those.
 *
 * The text is folded here rather than by the library's TextMatcher, which
 * segments every text into graphemes first (~0.3–0.7 ms a message against
 * 10,000 words): an all-ASCII text only needs toLowerCase (offsets unchanged),
 * any other is folded one character-with-marks at a time with a map back.
 */
export class AhoCorasickTextFilter implements TextFilter {
  private readonly matcher: AhoCorasick | undefined;
  /** Words in the list (for the start-up log). */
  readonly size: number;

  constructor(
    words: readonly string[],
    readonly mode: FilterMode,
  ) {
    this.size = words.length;
    // An empty list filters nothing: no automaton to walk.
    this.matcher = words.length === 0 ? undefined : new AhoCorasick(words.map(fold));
  }

  screen(text: string, _field: ScreenedField): ScreenResult {
    const { matcher } = this;
    if (!matcher || text === '') return { ok: true, text };
    const ascii = ASCII_ONLY.test(text);
    if (this.mode === 'reject') return matcher.match(ascii ? text.toLowerCase() : fold(text)) ? { ok: false } : { ok: true, text };
    // Every occurrence, overlaps included ('all'): with words `abc` and `bcd`, all of `abcd` is masked.
    if (ascii) {
      const matches = matcher.search(text.toLowerCase());
      return { ok: true, text: matches.length === 0 ? text : maskRanges(text, matches) };
    }
    // Most texts are already folded (plain Chinese, lower-case accents): their offsets are the written ones.
    if (fold(text) === text) {
      const matches = matcher.search(text);
      return { ok: true, text: matches.length === 0 ? text : maskRanges(text, matches) };
    }
    const folded = foldMapped(text);
    const matches = matcher.search(folded.text);
    if (matches.length === 0) return { ok: true, text };
    const ranges = matches.map(({ start, end }) => ({ start: must(folded.from[start], 'fold map'), end: must(folded.to[end - 1], 'fold map') }));
    return { ok: true, text: maskRanges(text, ranges) };
  }
}

/**
 * How words and text are compared: NFKC (width, ligatures, composed marks),
 * lower case, and the two foldings lower case misses that the words need:
 * `ß`/`ẞ` as `ss`, final `ς` as `σ`.
 */
function fold(text: string): string {
  const lower = text.normalize('NFKC').toLowerCase();
  return lower.includes('ß') || lower.includes('ς') ? lower.replace(/ß/g, 'ss').replace(/ς/g, 'σ') : lower;
}

/**
 * The folded text, and for each of its UTF-16 units the source range of the
 * character (with its combining marks) it came from: `from` its start, `to`
 * its end. Folding a character with its marks composes them as NFKC of the
 * whole text does.
 */
function foldMapped(text: string): { text: string; from: number[]; to: number[] } {
  let out = '';
  const from: number[] = [];
  const to: number[] = [];
  for (let i = 0; i < text.length; ) {
    const start = i;
    i += unitsAt(text, i);
    while (i < text.length && isMarkAt(text, i)) i += unitsAt(text, i);
    const piece = foldCluster(text, start, i);
    out += piece;
    for (let k = 0; k < piece.length; k++) {
      from.push(start);
      to.push(i);
    }
  }
  return { text: out, from, to };
}

/** 2 at a surrogate pair, else 1. */
function unitsAt(text: string, i: number): number {
  return (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
}

const MARK_AT = /\p{M}/uy;

function isMarkAt(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  // Fast answers for the common scripts: nothing below U+0300, CJK ideographs or Hangul syllables is a mark.
  if (code < 0x300 || (code >= 0x3400 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7a3)) return false;
  MARK_AT.lastIndex = i;
  return MARK_AT.test(text);
}

function foldCluster(text: string, start: number, end: number): string {
  if (end - start === 1) {
    const code = text.charCodeAt(start);
    if (code >= 0x41 && code <= 0x5a) return String.fromCharCode(code + 0x20);
    // The rest of ASCII, CJK ideographs and Hangul syllables fold to themselves.
    if (code < 0x80 || (code >= 0x3400 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7a3)) return text.charAt(start);
  }
  return fold(text.slice(start, end));
}

/**
 * Each character (code point) inside any range becomes one `*`; the rest is
 * kept as written. A character outside the BMP is one `*`, not two.
 */
function maskRanges(text: string, ranges: readonly { start: number; end: number }[]): string {
  const masked = new Uint8Array(text.length);
  for (const { start, end } of ranges) masked.fill(1, start, end);
  let out = '';
  let kept = 0;
  for (let i = 0; i < text.length; ) {
    const width = (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
    if (masked[i]) {
      out += text.slice(kept, i) + MASK;
      kept = i + width;
    }
    i += width;
  }
  return out + text.slice(kept);
}
