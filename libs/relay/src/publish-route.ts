import type { RelayPublish } from './deliver';

/**
 * Rendezvous (highest random weight) hashing: every candidate gets a score
 * for the key, highest first. All frames with one key take the same gateway
 * while it is ready (so they keep their order), keys spread evenly over the
 * gateways, and when one goes away or comes back only its own share of keys
 * moves. A handful of gateways: sorting them per publish costs nothing.
 */
export function rendezvousOrder<T extends { readonly address: string }>(candidates: Iterable<T>, key: string): T[] {
  const scored: { candidate: T; score: number }[] = [];
  for (const candidate of candidates) scored.push({ candidate, score: score(candidate.address, key) });
  scored.sort((a, b) => b.score - a.score || (a.candidate.address < b.candidate.address ? -1 : 1));
  return scored.map((s) => s.candidate);
}

/** The key a publish is routed by (see RelayPublish.routeKey). */
export function routeKeyOf(message: Pick<RelayPublish, 'rooms' | 'grantRoom' | 'routeKey'>): string {
  if (message.routeKey) return message.routeKey;
  if (message.grantRoom) return message.grantRoom;
  if (message.rooms.length === 1) return message.rooms[0] ?? '';
  return [...message.rooms].sort().join('\n');
}

/** FNV-1a over address, a separator and key, then a murmur3 finaliser so close keys score far apart. */
function score(address: string, key: string): number {
  let h = 0x811c9dc5;
  h = mix(h, address);
  h = Math.imul(h ^ 0, 0x01000193);
  h = mix(h, key);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mix(hash: number, text: string): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}
