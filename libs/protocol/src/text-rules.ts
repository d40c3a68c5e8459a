import { z } from 'zod';

/**
 * Text rules shared by server and clients: the canonical form of a username,
 * and names people show each other (display names, group names).
 */

/**
 * The key a username is looked up, limited and kept unique by: NFKC (so
 * fullwidth and compatibility forms fold to their plain letters) then case
 * folding. Stored in a binary column, so the database's collation never
 * decides which names are "the same".
 */
export function usernameKey(username: string): string {
  // toUpperCase().toLowerCase() folds cases toLowerCase() alone leaves apart (e.g. "ß" and "ẞ").
  return username.normalize('NFKC').toUpperCase().toLowerCase();
}

/**
 * Characters a shown name may not hold: controls (NUL, newlines, escapes),
 * bidirectional overrides and isolates (which can make a name display as
 * another), and zero-width characters (which make two names look alike).
 */
const FORBIDDEN_NAME_CHARS = /[\p{Cc}\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u061C\u180E]/u;

/** A name people show each other: NFC-normalized, trimmed, `min`-`max` characters, no invisible or direction-changing characters. */
export function shownNameSchema(max: number) {
  return z
    .string()
    .normalize('NFC')
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !FORBIDDEN_NAME_CHARS.test(value), 'must not contain control, zero-width or direction-override characters');
}
