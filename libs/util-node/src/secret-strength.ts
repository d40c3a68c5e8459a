import { z } from 'zod';

/** How to make a secret that passes; ends every refusal. */
export const SECRET_HINT = 'generate one with: openssl rand -base64 48';

/** Shortest secret accepted, in characters. */
export const MIN_SECRET_LENGTH = 32;
/** Least estimated entropy: Shannon bits per character (from its own frequencies) × length. */
export const MIN_SECRET_BITS = 128;
/** Fewest distinct characters. */
export const MIN_SECRET_DISTINCT = 10;

/**
 * Fragments of the placeholders people ship, compared case-insensitively with
 * `-`, `_`, `.` and spaces removed from both sides. Each is at least 7
 * characters once normalized, so a random base64 secret holds one with a
 * probability around 1e-9 (7 characters at 1/32 each, case-insensitively, at
 * ~40 positions); hex secrets cannot hold one.
 */
const PLACEHOLDERS = [
  'change-me',
  'replace-me',
  'placeholder',
  'example',
  'your-secret',
  'secret-secret',
  'my-secret',
  'jwt-secret',
  'secret-key',
  'password',
  'dev-only',
  'insecure',
  'do-not-use',
  'not-a-secret',
  'xxxxxxxx',
].map(normalize);

/**
 * Why `secret` is too weak to sign tokens or authenticate a cluster, or
 * undefined when it is strong enough. The reason never quotes the secret.
 *
 * Calibrated so that `crypto.randomBytes(32)` as hex (64 chars, ~240 estimated
 * bits), base64 or base64url (43-44 chars, ~220 bits) always passes, while
 * placeholders, repeated patterns, keyboard sequences and short strings fail.
 */
export function secretWeakness(secret: string): string | undefined {
  const chars = Array.from(secret);
  if (chars.length < MIN_SECRET_LENGTH) {
    return `is ${chars.length} characters long; needs at least ${MIN_SECRET_LENGTH}`;
  }
  const normalized = normalize(secret);
  if (PLACEHOLDERS.some((p) => normalized.includes(p))) return 'is a known placeholder';
  if (isPeriodic(chars)) return 'is a short pattern repeated';
  if (isSequence(chars)) return 'is a predictable sequence';
  const distinct = new Set(chars).size;
  if (distinct < MIN_SECRET_DISTINCT) {
    return `uses only ${distinct} distinct characters; needs at least ${MIN_SECRET_DISTINCT}`;
  }
  const bits = Math.floor(shannonBits(chars));
  if (bits < MIN_SECRET_BITS) return `has too little entropy (about ${bits} bits; needs ${MIN_SECRET_BITS})`;
  return undefined;
}

/**
 * A string schema that refuses weak secrets (see secretWeakness). The issue
 * message follows the variable's name in parseEnvConfig's error, e.g.
 * `PARLEY_JWT_SECRET: is a known placeholder; generate one with: openssl rand -base64 48`.
 */
export function strongSecret(): z.ZodString {
  return z.string().superRefine((value, ctx) => {
    const weakness = secretWeakness(value);
    if (weakness) ctx.addIssue({ code: 'custom', message: `${weakness}; ${SECRET_HINT}` });
  });
}

function normalize(text: string): string {
  return text.toLowerCase().replace(/[-_.\s]/g, '');
}

/** True when the string repeats a unit of at most half its length ("abcabcabc…", "change-me-change-me-…"). */
function isPeriodic(chars: readonly string[]): boolean {
  for (let period = 1; period <= chars.length / 2; period++) {
    let i = period;
    while (i < chars.length && chars[i] === chars[i - period]) i++;
    if (i === chars.length) return true;
  }
  return false;
}

/**
 * True when most neighbours are equal or one code point apart ("abcdef…",
 * "0123456789…", "aaaabbbb…"). Random hex has such a neighbour 3 times in 16
 * (mean 12 of 63 pairs); 60% sits more than 8 standard deviations above.
 */
function isSequence(chars: readonly string[]): boolean {
  let close = 0;
  let previous: number | undefined;
  for (const char of chars) {
    const code = char.codePointAt(0);
    if (code !== undefined && previous !== undefined && Math.abs(code - previous) <= 1) close++;
    previous = code;
  }
  return close >= 0.6 * (chars.length - 1);
}

/** Shannon entropy of the string's own character frequencies, times its length. */
function shannonBits(chars: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let perChar = 0;
  for (const count of counts.values()) {
    const p = count / chars.length;
    perChar -= p * Math.log2(p);
  }
  return perChar * chars.length;
}
