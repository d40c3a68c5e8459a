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
 * Characters a shown name may not hold: controls (NUL, newlines, escapes);
 * format characters, which are invisible: bidirectional overrides and
 * isolates (which can make a name display as another), zero-width characters
 * (which make two names look alike; a joiner inside an emoji sequence or
 * between letters is allowed, see JOINERS_IN_PLACE),
 * soft hyphens, tag characters; line and paragraph separators; lone
 * surrogates (not text; a UTF-8 database refuses them); private-use
 * characters; and the blank-looking fillers used for "empty" names (Hangul
 * fillers, braille blank, combining grapheme joiner).
 */
const FORBIDDEN_NAME_CHARS = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}\u034F\u115F\u1160\u2800\u3164\uFFA0]/u;
/**
 * Joiners that are part of ordinary text: ZWJ inside an emoji sequence
 * (families, professions) and ZWNJ between letters (Persian, Indic scripts).
 * Removed before the forbidden-character test; anywhere else they are refused.
 */
const JOINERS_IN_PLACE = /(?<=\p{Extended_Pictographic}[\u{1F3FB}-\u{1F3FF}\uFE0F]?)\u200D(?=\p{Extended_Pictographic})|(?<=\p{L}\p{M}*)\u200C(?=\p{L})/gu;
/** More combining marks in a row than any script needs ("Zalgo" text draws over the lines around it). */
const STACKED_MARKS = /\p{M}{5,}/u;

/** A name people show each other: NFC-normalized, trimmed, `min`-`max` characters, no invisible or direction-changing characters. */
export function shownNameSchema(max: number) {
  return z
    .string()
    .normalize('NFC')
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !FORBIDDEN_NAME_CHARS.test(value.replace(JOINERS_IN_PLACE, '')), 'must not contain control, zero-width or direction-override characters')
    .refine((value) => !STACKED_MARKS.test(value), 'must not stack more than 4 combining marks on one character');
}
