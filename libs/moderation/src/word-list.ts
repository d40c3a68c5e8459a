import fs from 'node:fs';

/**
 * The words of a sensitive-word list: one per line, UTF-8, surrounding
 * whitespace trimmed; blank lines and lines starting with `#` are skipped.
 * Duplicates (after NFKC and lower case, as they are matched) are dropped.
 */
export function parseWordList(text: string): string[] {
  const seen = new Set<string>();
  const words: string[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const word = raw.trim();
    if (word === '' || word.startsWith('#')) continue;
    const key = word.normalize('NFKC').toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    words.push(word);
  }
  return words;
}

/** Reads PARLEY_SENSITIVE_WORDS_FILE at start-up; a missing file fails the start rather than filtering nothing. */
export function readWordList(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`invalid configuration: PARLEY_SENSITIVE_WORDS_FILE: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return parseWordList(text);
}
