/**
 * FNV-1a over the UTF-16 code units of `parts` (a 0 unit between two parts,
 * so ('ab','c') and ('a','bc') differ), finished with murmur3's fmix32 so
 * close inputs land far apart. For rendezvous hashing, not for secrets.
 */
export function hash32(...parts: readonly string[]): number {
  let h = 0x811c9dc5;
  let first = true;
  for (const text of parts) {
    if (!first) h = Math.imul(h, 0x01000193); // the separator: h ^ 0
    first = false;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
