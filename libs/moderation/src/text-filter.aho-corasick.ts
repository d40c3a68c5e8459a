import TextMatcher from 'modern-ahocorasick/text';
import type { ScreenResult, ScreenedField, TextFilter } from '@parley/domain';

/** `mask`: listed words become `*`; `reject`: a text holding one is refused. */
export type FilterMode = 'mask' | 'reject';

const MASK = '*';

/**
 * The sensitive-word filter on an Aho–Corasick automaton (modern-ahocorasick):
 * one pass over the text whatever the number of words. Words and text are
 * compared after NFKC and full case folding (so `ＢＡＤ`, `Bad` and `bad`
 * are one word); the matcher maps each match back to the original text's
 * offsets, so masking replaces exactly the characters that were written.
 */
export class AhoCorasickTextFilter implements TextFilter {
  private readonly matcher: TextMatcher | undefined;
  /** Words in the list (for the start-up log). */
  readonly size: number;

  constructor(
    words: readonly string[],
    readonly mode: FilterMode,
  ) {
    this.size = words.length;
    // An empty list filters nothing: no automaton to walk.
    this.matcher = words.length === 0 ? undefined : new TextMatcher(words, { normalization: 'NFKC', caseFold: true });
  }

  screen(text: string, _field: ScreenedField): ScreenResult {
    const { matcher } = this;
    if (!matcher || text === '') return { ok: true, text };
    if (this.mode === 'reject') return matcher.match(text) ? { ok: false } : { ok: true, text };
    // Every occurrence, overlaps included ('all'): with words `abc` and `bcd`, all of `abcd` is masked.
    const matches = matcher.search(text);
    return { ok: true, text: matches.length === 0 ? text : maskRanges(text, matches) };
  }
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
