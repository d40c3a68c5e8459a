import type { MessageBody, MessageKind } from '@parley/protocol';

/*
 * Message search, shared by both engines. The store keeps `search_text`: the
 * searchable text lowercased after NFKC, so a substring test on it is the
 * case-insensitive match the port asks for, in any script.
 */

/** The form both the stored text and a query are compared in. */
export function normalizeSearch(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** What a message is found by: its text or caption; null for system and change entries and empty texts. */
export function searchTextOf(kind: MessageKind, body: MessageBody): string | null {
  if (kind === 'change' || kind === 'system') return null;
  const text = kind === 'text' ? body.text : (body.caption ?? body.text);
  const normalized = normalizeSearch(text).trim();
  return normalized === '' ? null : normalized;
}

/** Code points, not UTF-16 units: a CJK extension character or an emoji counts once. */
export function searchLength(text: string): number {
  return Array.from(text).length;
}

/*
 * MySQL/MariaDB: MariaDB has no ngram FULLTEXT parser (MySQL 8 has), so the
 * adapter makes the ngrams itself: every character bigram of search_text,
 * each written as one ASCII word of 8 base-36 digits (two code points of 4
 * digits each: 36^4 > U+10FFFF). InnoDB's tokenizer keeps such words whole,
 * they are longer than its minimum token size (3) and no stopword, so a
 * plain FULLTEXT index finds any bigram in any script. A query asks for all
 * its bigrams in BOOLEAN MODE and is confirmed by a substring test, since
 * bigrams found apart are not yet the substring. With MySQL 8 the same
 * column works unchanged.
 */
const codePointWord = (c: string): string => (c.codePointAt(0) ?? 0).toString(36).padStart(4, '0');

/** The distinct bigram words of a normalized text, in first-appearance order. */
export function bigramWords(normalized: string): string[] {
  const chars = Array.from(normalized).map(codePointWord);
  const words = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) words.add(`${chars[i]}${chars[i + 1]}`);
  return [...words];
}

/** search_tokens's value: the bigram words separated by spaces, or null without text. */
export function searchTokensOf(searchText: string | null): string | null {
  if (searchText === null) return null;
  const words = bigramWords(searchText);
  return words.length === 0 ? null : words.join(' ');
}

/** At most this many of a query's bigrams are asked of the index; the substring test checks the rest. */
const MAX_QUERY_WORDS = 32;

/** A BOOLEAN MODE query requiring every bigram of a normalized query of two characters or more. */
export function bigramQuery(normalized: string): string {
  return bigramWords(normalized)
    .slice(0, MAX_QUERY_WORDS)
    .map((w) => `+${w}`)
    .join(' ');
}

/** An FTS5 phrase of the query (trigram tokenizer: matches it as a substring). */
export function ftsPhrase(normalized: string): string {
  return `"${normalized.replace(/"/g, '""')}"`;
}
