import type { MessageBody, MessageKind } from '@parley/protocol';

/*
 * Message search, shared by both engines. The store keeps `search_text`: the
 * searchable text lowercased after NFKC, so a substring test on it is the
 * case-insensitive match the port asks for, in any script.
 */

/** The form both the stored text and a query are compared in. */
export function normalizeSearch(text: string): string {
  // NFKC leaves ASCII as it is: skip it on the send path's common case.
  return (/^[\x00-\x7f]*$/.test(text) ? text : text.normalize('NFKC')).toLowerCase();
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
 * each written as one ASCII word of 4 characters, a digit then 3 base-36
 * digits: a hash of the bigram into 466,560 buckets. InnoDB's tokenizer
 * keeps such words whole, they are longer than its minimum token size (3)
 * and no stopword starts with a digit, so a plain FULLTEXT index finds any
 * bigram in any script. A query asks for all its bigrams in BOOLEAN MODE
 * and is confirmed by a substring test, which also drops the rare bucket
 * collision. Short words keep the append path's INSERT and the index's work
 * small (S5). With MySQL 8 the same column works unchanged.
 */
const BUCKETS = 10 * 36 ** 3;

function bigramWord(hash: number): string {
  const rest = hash % 36 ** 3;
  return `${Math.floor(hash / 36 ** 3)}${rest.toString(36).padStart(3, '0')}`;
}

/** The distinct bigram words of a normalized text, in first-appearance order. */
export function bigramWords(normalized: string): string[] {
  const hashes = new Set<number>();
  let previous = -1;
  for (const c of normalized) {
    const code = c.codePointAt(0) ?? 0;
    if (previous >= 0) hashes.add((previous * 1_114_112 + code) % BUCKETS);
    previous = code;
  }
  return [...hashes].map(bigramWord);
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

